//! `pimlico.modules.corpora.*`: corpus views, storage, splits, samples and vocabularies.

mod concat;
mod corpus_stats;
mod format;
mod group;
mod interleave;
mod list_filter;
mod shuffle;
mod shuffle_linear;
mod split;
mod store;
mod subsample;
mod subset;
mod vocab_builder;
mod vocab_counter;
mod vocab_mapper;
mod vocab_unmapper;

pub(crate) use group::{Grouped, grouper_options};

use super::TypeDef;

/// The corpora module types.
pub(super) const DEFS: &[&TypeDef] = &[
    &subset::DEF,
    &concat::DEF,
    &interleave::DEF,
    &group::DEF,
    &store::DEF,
    &split::DEF,
    &list_filter::DEF,
    &subsample::DEF,
    &shuffle::DEF,
    &shuffle_linear::DEF,
    &corpus_stats::DEF,
    &vocab_builder::DEF,
    &vocab_counter::DEF,
    &vocab_mapper::DEF,
    &vocab_unmapper::DEF,
    &format::DEF,
];
