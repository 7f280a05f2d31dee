//! TODO(helper): assemble
