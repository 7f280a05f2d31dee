//! TODO(helper): sane
