//! TODO(helper): check
