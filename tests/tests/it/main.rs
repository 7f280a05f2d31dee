//! One integration-test binary for the whole workspace (the ripgrep habit): each module is a family of
//! end-to-end scenarios run against the real binaries.

mod support;

mod desktop;
