//! `pimlico.modules.corpora.vocab_counter`: how often each word of a vocabulary occurs in a
//! corpus of word IDs, as a NumPy array.

use std::collections::HashMap;

use pimlico_config::{ModuleSignature, OptionType};
use pimlico_core::types::{ModuleContext, ModuleError, Outcome};
use serde_json::json;

use crate::catalogue::decl::{corpus_input, input, module, option, output};
use crate::corpus::Reading;
use crate::error::{Error, Result};
use crate::formats::documents::IntListsFormat;
use crate::formats::{dictionary, npy};
use crate::types::common::{Progress, input_corpus, output_dir};
use crate::types::{Behaviour, TypeDef};
use crate::util::options;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.vocab_counter",
    signature,
    behaviour: Behaviour::Execute(execute),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "vocab_counter",
        "Count the frequency of each token of a vocabulary in a given corpus of word IDs. The \
         output is an array as long as the vocabulary (plus one with oov_excluded=T).",
    );
    sig.inputs = vec![
        corpus_input("corpus", "IntegerListsDocumentType"),
        input("vocab", "Dictionary"),
    ];
    sig.outputs = vec![output("distribution", "NumpyArray")];
    sig.options = vec![option(
        "oov_excluded",
        OptionType::Bool,
        json!(null),
        "Indicates that the corpus has been mapped so that OOVs are represented by the ID \
         vocab_size+1, instead of having a special token in the vocab",
    )];
    sig
}

fn execute(ctx: &mut ModuleContext<'_>) -> Result<Outcome, ModuleError> {
    run(ctx)?;
    Ok(Outcome::default())
}

fn run(ctx: &mut ModuleContext<'_>) -> Result<()> {
    let corpus = input_corpus(ctx, "corpus")?;
    let vocab = dictionary::read(&Reading::from_ctx(ctx).input_dir(ctx.module, "vocab")?)?;
    let len = vocab.len() + usize::from(options::flag(ctx.options(), "oov_excluded"));
    let format = IntListsFormat::from_metadata(&corpus.metadata())
        .map_err(|e| Error::msg(format!("{}: {e}", corpus.describe())))?;
    ctx.log.info("Counting token frequencies in corpus");
    let mut counts: HashMap<i128, i64> = HashMap::new();
    let mut progress = Progress::new(ctx, corpus.len()?);
    let mut docs = corpus.docs()?;
    while let Some(doc) = docs.next_doc()? {
        if !doc.is_invalid() {
            format
                .for_each_row(doc.data, |row| {
                    for id in row {
                        *counts.entry(id).or_insert(0) += 1;
                    }
                })
                .map_err(|e| Error::doc(doc.archive, doc.name, e))?;
        }
        progress.tick();
    }
    ctx.log.info("Counts collected");
    let dist: Vec<i64> = (0..len as i128)
        .map(|i| counts.get(&i).copied().unwrap_or(0))
        .collect();
    npy::write(
        &output_dir(ctx, "distribution")?,
        &npy::NpyArray::from_i64(&dist),
    )?;
    let id2token = vocab.id2token();
    let mut order: Vec<usize> = (0..dist.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(dist[*i]));
    let fmt = |ids: &[usize]| {
        ids.iter()
            .map(|&i| {
                let word = id2token.get(&(i as u64)).copied().unwrap_or("OOV");
                format!("{word} ({})", dist[i])
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let tail = order.len().saturating_sub(5);
    ctx.log.info(format!(
        "{}, ..., {}",
        fmt(&order[..order.len().min(5)]),
        fmt(&order[tail..])
    ));
    Ok(())
}
