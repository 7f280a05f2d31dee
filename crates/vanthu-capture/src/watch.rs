//! TODO(helper): watch
