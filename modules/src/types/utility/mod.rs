//! `pimlico.modules.utility.*`.

mod collect_files;

use super::TypeDef;

/// The utility module types.
pub(super) const DEFS: &[&TypeDef] = &[&collect_files::DEF];
