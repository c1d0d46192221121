//! A module setting while a section is being expanded.

use crate::loc::Loc;

/// A value and the line its key was written on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Setting {
    pub value: String,
    pub loc: Loc,
}

impl Setting {
    pub fn new(value: impl Into<String>, loc: Loc) -> Self {
        Self {
            value: value.into(),
            loc,
        }
    }
}
