//! `pimlico.modules.corpora.subsample`: keeps each document with a given probability, drawn
//! with Python's seeded generator exactly as the original does (same seed, same documents).

use pimlico_config::{ModuleSignature, OptionType};
use pimlico_core::types::{ModuleContext, ModuleError, Outcome};
use serde_json::json;

use crate::catalogue::decl::{input, module, option, output_like_input, required_option};
use crate::error::Result;
use crate::types::common::{Progress, corpus_writer, input_corpus};
use crate::types::{Behaviour, TypeDef};
use crate::util::options;
use crate::util::rng::Mt19937;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.subsample",
    signature,
    behaviour: Behaviour::Execute(execute),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "subsample",
        "Randomly subsample documents of a corpus at a given rate to create a smaller corpus.",
    );
    sig.inputs = vec![input("corpus", "GroupedCorpus")];
    sig.outputs = vec![output_like_input("corpus", "corpus")];
    sig.options = vec![
        required_option(
            "p",
            OptionType::Float,
            "Probability of including any given document. The resulting corpus will be roughly \
             this proportion of the size of the input. Alternatively, you can specify an \
             integer, which will be interpreted as the target size of the output. A p value \
             will be calculated based on the size of the input corpus",
        ),
        option(
            "skip_invalid",
            OptionType::Bool,
            json!(null),
            "Skip over any invalid documents so that the output subset contains just valid \
             document and no invalid ones. By default, invalid documents are passed through",
        ),
        option(
            "seed",
            OptionType::Int,
            json!(1234),
            "Random seed. We always set a random seed before starting to ensure some level of \
             reproducability",
        ),
    ];
    sig
}

fn execute(ctx: &mut ModuleContext<'_>) -> Result<Outcome, ModuleError> {
    run(ctx)?;
    Ok(Outcome::default())
}

fn run(ctx: &mut ModuleContext<'_>) -> Result<()> {
    let corpus = input_corpus(ctx, "corpus")?;
    let total = corpus.len()?;
    let skip_invalid = options::flag(ctx.options(), "skip_invalid");
    let mut prob = options::float(ctx.options(), "p").unwrap_or(0.0);
    if prob > 1.0 {
        let target = prob.trunc();
        prob = if total == 0 {
            1.0
        } else {
            target / total as f64
        };
        if prob > 1.0 {
            ctx.log.warn(format!(
                "Target size of {target} resulted in a sampling probability of {prob}: input size \
                 is {total}. All documents will be included"
            ));
        }
    }
    let mut rng = Mt19937::python(options::int(ctx.options(), "seed").unwrap_or(1234));
    let mut writer = corpus_writer(ctx, "corpus", &corpus.metadata())?;
    ctx.log.info(format!(
        "Randomly sampling docs with a probability of {:.2}% from corpus of {total} docs",
        prob * 100.0
    ));
    let (mut selected, mut considered) = (0u64, 0u64);
    let mut progress = Progress::new(ctx, total);
    let mut docs = corpus.docs()?;
    while let Some(doc) = docs.next_doc()? {
        if !skip_invalid || !doc.is_invalid() {
            considered += 1;
            if rng.random() < prob {
                writer.add_document(doc.archive, doc.name, doc.data, None)?;
                selected += 1;
            }
        }
        progress.tick();
    }
    writer.finish()?;
    ctx.log.info(format!(
        "Included {selected}/{considered} docs in output corpus"
    ));
    Ok(())
}
