//! `pimlico.modules.corpora.*`: corpus views and manipulations.

use std::sync::Arc;

use pimlico_config::OptionType;
use serde_json::json;

use super::PimlicoCatalogue;
use super::decl::{
    corpus_output_from_input, group, input, module, multiple_input, option, output,
    output_like_input, required_option,
};

/// Registers the corpora module types under their dotted names.
pub(super) fn register(catalogue: &mut PimlicoCatalogue) {
    let mut subset = module(
        "subset",
        "A view of a slice of a corpus: a number of documents after an offset. Not executed: \
         documents are read from the input as they are needed.",
    );
    subset.inputs = vec![input("corpus", "IterableCorpus")];
    subset.outputs = vec![output_like_input("corpus", "corpus")];
    subset.executable = false;
    subset.options = vec![
        required_option(
            "size",
            OptionType::Int,
            "How many documents the subset contains",
        ),
        option(
            "offset",
            OptionType::Int,
            json!(0),
            "How many documents to skip at the start of the corpus",
        ),
        option(
            "skip_invalid",
            OptionType::Bool,
            json!(null),
            "Leave out invalid documents, so that they neither appear in the subset nor count \
             towards its size",
        ),
    ];

    let mut concat = module(
        "concat",
        "A view of several corpora read one after the other. Not executed.",
    );
    concat.inputs = vec![multiple_input("corpora", "IterableCorpus")];
    concat.outputs = vec![output_like_input("corpus", "corpora")];
    concat.executable = false;

    let mut store = module(
        "store",
        "Writes a corpus (typically a view or a filter's output) to disk as a grouped corpus.",
    );
    store.inputs = vec![input("corpus", "GroupedCorpus")];
    store.outputs = vec![corpus_output_from_input(
        "corpus",
        "GroupedCorpus",
        "corpus",
    )];
    store.document_map = true;

    let mut split = module(
        "split",
        "Divides a corpus into two sets at random, writing both and the lists of their \
         document names.",
    );
    split.inputs = vec![input("corpus", "GroupedCorpus")];
    split.outputs = vec![
        corpus_output_from_input("set1", "GroupedCorpus", "corpus"),
        corpus_output_from_input("set2", "GroupedCorpus", "corpus"),
        output("doc_list1", "StringList"),
    ];
    split.optional_outputs = vec![output("doc_list2", "StringList")];
    split.output_groups = vec![group("corpora", &["set1", "set2"])];
    split.options = vec![option(
        "set1_size",
        OptionType::Float,
        json!(0.2),
        "Share of the documents put in the first set (0 to 1), or, above 1, their number",
    )];

    for sig in [subset, concat, store, split] {
        let type_string = format!("pimlico.modules.corpora.{}", sig.type_name);
        catalogue.insert(type_string, Arc::new(sig));
    }
}
