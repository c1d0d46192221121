//! `pimlico.modules.corpora.vocab_builder`: a dictionary (word → ID) of a tokenized corpus,
//! built and filtered exactly as the original (Gensim's) does, so IDs are the same.

use pimlico_config::{ModuleSignature, OptionType};
use pimlico_core::types::{ModuleContext, ModuleError, Outcome};
use serde_json::json;

use crate::catalogue::decl::{corpus_input, module, option, optional_input, output};
use crate::corpus::Reading;
use crate::error::{Error, Result};
use crate::formats::dictionary::{self, DictionaryData};
use crate::formats::string_list;
use crate::types::common::{Progress, input_corpus, output_dir, sentences};
use crate::types::{Behaviour, TypeDef};
use crate::util::options;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.vocab_builder",
    signature,
    behaviour: Behaviour::Execute(execute),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "vocab_builder",
        "Builds a dictionary (vocabulary) for a tokenized corpus, assigning an integer ID to \
         every distinct word, optionally applying thresholds so that some words are left out. \
         Given stopwords are left out; words removed for being too frequent are added to the \
         stopwords, which are output.",
    );
    sig.inputs = vec![
        corpus_input("text", "TokenizedDocumentType"),
        optional_input("stopwords", "StringList"),
    ];
    sig.outputs = vec![
        output("vocab", "Dictionary"),
        output("stopwords", "StringList"),
    ];
    sig.options = vec![
        option(
            "threshold",
            OptionType::Int,
            json!(null),
            "Minimum number of occurrences required of a term to be included",
        ),
        option(
            "max_prop",
            OptionType::Float,
            json!(null),
            "Include terms that occur in max this proportion of documents",
        ),
        option(
            "limit",
            OptionType::Int,
            json!(null),
            "Limit vocab size to this number of most common entries (after other filters)",
        ),
        option(
            "include",
            OptionType::CommaList,
            json!(null),
            "Ensure that certain words are always included in the vocabulary, even if they don't \
             make it past the various filters, or are never seen in the corpus. Give as a \
             comma-separated list",
        ),
        option(
            "oov",
            OptionType::String,
            json!(null),
            "Represent OOVs using the given string in the vocabulary. Used to represent chars \
             that will be out of vocabulary after applying threshold/limit filters. Included in \
             the vocabulary even if the count is 0",
        ),
        option(
            "prune_at",
            OptionType::Int,
            json!(2_000_000),
            "Prune the dictionary if it reaches this size. Setting a lower value avoids getting \
             stuck with too big a dictionary to be able to prune and slowing things down, but \
             means that the final pruning will less accurately reflect the true corpus stats. \
             Should be considerably higher than limit (if used). Set to 0 to disable. Default: \
             2M (Gensim's default)",
        ),
    ];
    sig
}

fn execute(ctx: &mut ModuleContext<'_>) -> Result<Outcome, ModuleError> {
    run(ctx)?;
    Ok(Outcome::default())
}

/// The words of each valid document, in order.
fn documents(
    corpus: &dyn crate::corpus::Corpus,
    mut each: impl FnMut(Vec<String>),
    mut progress: Progress,
) -> Result<()> {
    let doc_type = corpus.doc_type();
    let mut docs = corpus.docs()?;
    while let Some(doc) = docs.next_doc()? {
        if !doc.is_invalid() {
            let words = sentences(doc_type, &doc)?
                .into_iter()
                .flatten()
                .map(|w| w.into_owned())
                .collect();
            each(words);
        }
        progress.tick();
    }
    Ok(())
}

fn run(ctx: &mut ModuleContext<'_>) -> Result<()> {
    let corpus = input_corpus(ctx, "text")?;
    let opts = ctx.options();
    let mut data = DictionaryData::new();
    for dir in Reading::from_ctx(ctx).input_dirs(ctx.module, "stopwords")? {
        let stopwords = string_list::read(&dir)?;
        ctx.log
            .info(format!("Initial list of {} stopwords", stopwords.len()));
        data.stopwords.extend(stopwords);
    }
    let prune_at = options::int(opts, "prune_at")
        .filter(|n| *n > 0)
        .map(|n| n as usize);
    if let Some(n) = prune_at {
        ctx.log
            .info(format!("Pruning if dictionary size reaches {n}"));
    }
    let total = corpus.len()?;
    ctx.log
        .info(format!("Building dictionary from {total} docs"));
    documents(
        corpus.as_ref(),
        |words| data.add_documents([words], prune_at),
        Progress::new(ctx, total),
    )?;
    ctx.log.info(format!(
        "Built dictionary of {} terms, applying filters",
        data.len()
    ));
    let threshold = options::int(opts, "threshold");
    let max_prop = options::float(opts, "max_prop");
    let limit = options::int(opts, "limit");
    let (removed_freq, removed_rare) = data.filter_high_low_extremes(
        threshold.unwrap_or(0).max(0) as u64,
        max_prop.unwrap_or(1.0),
        limit.map(|l| l.max(0) as usize),
        true,
    );
    let show = |removed: &[(String, u64, u64)]| {
        let mut words: Vec<&str> = removed
            .iter()
            .take(30)
            .map(|(w, _, _)| w.as_str())
            .collect();
        if removed.len() > 30 {
            words.push("...");
        }
        words.join(", ")
    };
    ctx.log.info(format!(
        "Filters removed {} frequent items from vocabulary: {}",
        removed_freq.len(),
        show(&removed_freq)
    ));
    ctx.log.info(format!(
        "Filters removed {} rare items from vocabulary: {}",
        removed_rare.len(),
        show(&removed_rare)
    ));
    if let Some(include) = options::list(opts, "include") {
        ctx.log
            .info(format!("Guaranteeing inclusion of {}", include.join(", ")));
        for term in &include {
            data.add_term(term);
        }
    }
    if let Some(oov) = options::string(opts, "oov").filter(|s| !s.is_empty()) {
        let oov_id = data.add_term(oov).ok_or_else(|| {
            Error::msg(format!(
                "the OOV token '{oov}' is a stopword, so it cannot be added"
            ))
        })?;
        ctx.log.info("Counting OOVs in the input corpus");
        let mut oov_count = 0u64;
        let vocab = &data.token2id;
        documents(
            corpus.as_ref(),
            |words| {
                if words.iter().any(|w| !vocab.contains_key(w)) {
                    oov_count += 1;
                }
            },
            Progress::new(ctx, total),
        )?;
        data.dfs.insert(oov_id, oov_count);
        ctx.log
            .info(format!("Added OOV token '{oov}' with count of {oov_count}"));
    }
    ctx.log
        .info(format!("Outputting vocab ({} terms)", data.len()));
    dictionary::write(&output_dir(ctx, "vocab")?, &data)?;
    let stopwords: Vec<&String> = data.stopwords.iter().collect();
    ctx.log
        .info(format!("Final list of {} stopwords", stopwords.len()));
    string_list::write(&output_dir(ctx, "stopwords")?, &stopwords)?;
    Ok(())
}
