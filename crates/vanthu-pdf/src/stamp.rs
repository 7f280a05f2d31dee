//! TODO(helper): stamp
