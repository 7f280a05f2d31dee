//! Vanthu's end-to-end test crate. The tests live in `tests/it/` (one binary, `it`); this library is empty
//! on purpose: the scenarios drive the real `vanthu` binary and the real desktop app from outside.
