//! `pimlico.modules.corpora.store`: writes a corpus (typically computed: a view, a filter, an
//! input reader) to disk as a grouped corpus, unchanged.

use std::sync::Arc;

use pimlico_config::ModuleSignature;

use crate::catalogue::decl::{corpus_output_from_input, input, module};
use crate::error::Result;
use crate::map::Identity;
use crate::types::{Behaviour, MapArgs, MapSpec, TypeDef};

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.store",
    signature,
    behaviour: Behaviour::DocMap(make),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "store",
        "Store a corpus: take documents from a corpus (produced on the fly by a filter, view or \
         input reader, or stored) and write them to disk unchanged.",
    );
    sig.inputs = vec![input("corpus", "GroupedCorpus")];
    sig.outputs = vec![corpus_output_from_input(
        "corpus",
        "GroupedCorpus",
        "corpus",
    )];
    sig.document_map = true;
    sig
}

/// The documents are the input's, so the output keeps the input's encoding metadata.
fn make(args: &MapArgs<'_>) -> Result<MapSpec> {
    Ok(MapSpec {
        mapper: Arc::new(Identity),
        metadata: args
            .output_doc_type
            .inherited_metadata(&args.input_metadata),
    })
}
