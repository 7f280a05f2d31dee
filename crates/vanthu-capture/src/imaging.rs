//! TODO(helper): imaging
