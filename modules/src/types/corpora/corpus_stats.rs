//! `pimlico.modules.corpora.corpus_stats`: counts of tokens, types, sentences and characters
//! of a tokenized corpus, written to `stats.json`.

use pimlico_config::ModuleSignature;
use pimlico_core::types::{ModuleContext, ModuleError, Outcome};

use crate::catalogue::decl::{corpus_input, module, output};
use crate::error::Result;
use crate::formats::named_files::NamedFileCollection;
use crate::formats::stats::CorpusStats;
use crate::types::common::{Progress, input_corpus, output_dir, sentences};
use crate::types::{Behaviour, TypeDef};

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.corpus_stats",
    signature,
    behaviour: Behaviour::Execute(execute),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "corpus_stats",
        "Some basic statistics about tokenized corpora: counts the number of tokens, sentences \
         and distinct tokens in a corpus.",
    );
    sig.inputs = vec![corpus_input("corpus", "TokenizedDocumentType")];
    sig.outputs = vec![output("stats", "NamedFile")];
    sig
}

fn execute(ctx: &mut ModuleContext<'_>) -> Result<Outcome, ModuleError> {
    run(ctx)?;
    Ok(Outcome::default())
}

fn run(ctx: &mut ModuleContext<'_>) -> Result<()> {
    let corpus = input_corpus(ctx, "corpus")?;
    let doc_type = corpus.doc_type();
    ctx.log.info("Collecting stats");
    let mut stats = CorpusStats::default();
    let mut progress = Progress::new(ctx, corpus.len()?);
    let mut docs = corpus.docs()?;
    while let Some(doc) = docs.next_doc()? {
        if !doc.is_invalid() {
            let sents = sentences(doc_type, &doc)?;
            stats.add_document(sents.iter().map(|s| s.iter().map(|t| t.as_ref())));
        }
        progress.tick();
    }
    let text = stats.to_json_text()?;
    let dir = output_dir(ctx, "stats")?;
    let files = NamedFileCollection::named_file(Some("stats.json"))?;
    let mut writer = files.writer(&dir)?;
    writer.write_file("stats.json", text.as_bytes())?;
    writer.finish()?;
    ctx.log.info(format!(
        "Stats output to {}",
        dir.join("data").join("stats.json").display()
    ));
    Ok(())
}
