//! `pimlico.modules.corpora.split`: divides a corpus into two random sets (keeping document
//! order within each), and lists the documents of the first set (and of the second, if asked).

use pimlico_config::{ModuleSignature, OptionType};
use pimlico_core::types::{ModuleContext, ModuleError, Outcome};
use serde_json::json;

use crate::catalogue::decl::{corpus_output_from_input, group, input, module, option, output};
use crate::error::Result;
use crate::formats::string_list;
use crate::types::common::{Progress, corpus_writer, input_corpus, output_dir};
use crate::types::{Behaviour, TypeDef};
use crate::util::options;
use crate::util::rng::Mt19937;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.split",
    signature,
    behaviour: Behaviour::Execute(execute),
    check: None,
    source_ready: None,
};

/// Default of the `seed` option (which the original lacks: its split was not reproducible).
pub(crate) const DEFAULT_SEED: i64 = 1234;

fn signature() -> ModuleSignature {
    let mut sig = module(
        "split",
        "Split a corpus into two subsets, choosing the documents of each at random (with a \
         seed, so that runs are reproducible). Also outputs the names of the documents in the \
         first set, and optionally the second.",
    );
    sig.inputs = vec![input("corpus", "GroupedCorpus")];
    sig.outputs = vec![
        corpus_output_from_input("set1", "GroupedCorpus", "corpus"),
        corpus_output_from_input("set2", "GroupedCorpus", "corpus"),
        output("doc_list1", "StringList"),
    ];
    sig.optional_outputs = vec![output("doc_list2", "StringList")];
    sig.output_groups = vec![group("corpora", &["set1", "set2"])];
    sig.options = vec![
        option(
            "set1_size",
            OptionType::Float,
            json!(0.2),
            "Proportion of the corpus to put in the first set, float between 0.0 and 1.0. If an \
             integer >1 is given, this is treated as the absolute number of documents to put in \
             the first set, rather than a proportion. Default: 0.2 (20%)",
        ),
        option(
            "seed",
            OptionType::Int,
            json!(DEFAULT_SEED),
            "Seed for the random choice of documents, so that the same split is made every \
             time. Default: 1234",
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
    let size = options::float(ctx.options(), "set1_size").unwrap_or(0.2);
    let mut set1_remaining = if size > 1.0 {
        let wanted = size as u64;
        if wanted > total {
            ctx.log.warn(format!(
                "Requested size of corpus split 1 ({wanted}) is greater than the total size \
                 ({total}). Split 2 will be empty"
            ));
        }
        wanted.min(total)
    } else {
        ((total as f64) * size.max(0.0)).round() as u64
    };
    let mut set2_remaining = total - set1_remaining;
    let mut rng = Mt19937::python(options::int(ctx.options(), "seed").unwrap_or(DEFAULT_SEED));
    let keep_list2 = ctx.module.outputs.iter().any(|o| o == "doc_list2");
    let metadata = corpus.metadata();
    let mut set1 = corpus_writer(ctx, "set1", &metadata)?;
    let mut set2 = corpus_writer(ctx, "set2", &metadata)?;
    let (mut list1, mut list2) = (Vec::new(), Vec::new());
    let mut progress = Progress::new(ctx, total);
    let mut docs = corpus.docs()?;
    while let Some(doc) = docs.next_doc()? {
        // Documents beyond the expected total (a wrong length in the metadata) go to set 2.
        let in_set1 = match (set1_remaining, set2_remaining) {
            (0, _) => false,
            (_, 0) => true,
            (a, b) => rng.random() < a as f64 / (a + b) as f64,
        };
        if in_set1 {
            set1.add_document(doc.archive, doc.name, doc.data, None)?;
            list1.push(doc.name.to_string());
            set1_remaining -= 1;
        } else {
            set2.add_document(doc.archive, doc.name, doc.data, None)?;
            if keep_list2 {
                list2.push(doc.name.to_string());
            }
            set2_remaining = set2_remaining.saturating_sub(1);
        }
        progress.tick();
    }
    set1.finish()?;
    set2.finish()?;
    let dir1 = output_dir(ctx, "doc_list1")?;
    ctx.log
        .info(format!("Outputting set1 list to {}", dir1.display()));
    string_list::write(&dir1, &list1)?;
    if keep_list2 {
        let dir2 = output_dir(ctx, "doc_list2")?;
        ctx.log
            .info(format!("Outputting set2 list to {}", dir2.display()));
        string_list::write(&dir2, &list2)?;
    }
    Ok(())
}
