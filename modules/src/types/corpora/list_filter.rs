//! `pimlico.modules.corpora.list_filter`: splits a corpus by a list of document names: those in
//! the list go to the first set, the others to the second.

use std::collections::HashSet;

use pimlico_config::ModuleSignature;
use pimlico_core::types::{ModuleContext, ModuleError, Outcome};

use crate::catalogue::decl::{corpus_output_from_input, input, module};
use crate::corpus::Reading;
use crate::error::Result;
use crate::formats::string_list;
use crate::types::common::{Progress, corpus_writer, input_corpus};
use crate::types::{Behaviour, TypeDef};

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.list_filter",
    signature,
    behaviour: Behaviour::Execute(execute),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "list_filter",
        "Splits a corpus according to a list of document names: the documents in the list go \
         into the first set, the rest into the second.",
    );
    sig.inputs = vec![
        input("corpus", "GroupedCorpus"),
        input("list", "StringList"),
    ];
    sig.outputs = vec![
        corpus_output_from_input("set1", "GroupedCorpus", "corpus"),
        corpus_output_from_input("set2", "GroupedCorpus", "corpus"),
    ];
    sig
}

fn execute(ctx: &mut ModuleContext<'_>) -> Result<Outcome, ModuleError> {
    run(ctx)?;
    Ok(Outcome::default())
}

fn run(ctx: &mut ModuleContext<'_>) -> Result<()> {
    let corpus = input_corpus(ctx, "corpus")?;
    let list_dir = Reading::from_ctx(ctx).input_dir(ctx.module, "list")?;
    let names: HashSet<String> = string_list::read(&list_dir)?.into_iter().collect();
    let metadata = corpus.metadata();
    let mut set1 = corpus_writer(ctx, "set1", &metadata)?;
    let mut set2 = corpus_writer(ctx, "set2", &metadata)?;
    let mut progress = Progress::new(ctx, corpus.len()?);
    let mut docs = corpus.docs()?;
    while let Some(doc) = docs.next_doc()? {
        let writer = if names.contains(doc.name) {
            &mut set1
        } else {
            &mut set2
        };
        writer.add_document(doc.archive, doc.name, doc.data, None)?;
        progress.tick();
    }
    set1.finish()?;
    set2.finish()?;
    Ok(())
}
