//! `pimlico.modules.corpora.shuffle_linear`: shuffles a corpus that cannot be read in random
//! order (e.g. one computed by filters): documents are read in order into temporary archives
//! ("bins") chosen at random, then each bin is shuffled and written out in turn.

use std::fs;

use pimlico_config::{ModuleSignature, OptionType};
use pimlico_core::types::{ModuleContext, ModuleError, Outcome};
use serde_json::json;

use super::shuffle::numpy_seed;
use crate::catalogue::decl::{corpus_output_from_input, input, module, option};
use crate::error::{Error, Result};
use crate::formats::grouped::ArchiveGrouper;
use crate::formats::pimarc::{PimarcEntry, PimarcReader, PimarcWriter};
use crate::types::common::{Progress, corpus_writer, input_corpus, output_dir};
use crate::types::{Behaviour, TypeDef};
use crate::util::options;
use crate::util::rng::Mt19937;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.shuffle_linear",
    signature,
    behaviour: Behaviour::Execute(execute),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "shuffle",
        "Randomly shuffles all the documents in a grouped corpus, reading it only in order: \
         documents are put into temporary bins at random, then each bin is shuffled in memory.",
    );
    sig.inputs = vec![input("corpus", "GroupedCorpus")];
    sig.outputs = vec![corpus_output_from_input(
        "corpus",
        "GroupedCorpus",
        "corpus",
    )];
    sig.options = vec![
        option(
            "bin_size",
            OptionType::Int,
            json!(100),
            "Target expected size of temporary bins into which documents are shuffled. The \
             actual size may vary, but they will on average have this size. Default: 100",
        ),
        option(
            "num_bins",
            OptionType::Int,
            json!(null),
            "Directly set the number of temporary bins to put document into. If set, bin_size is \
             ignored",
        ),
        option(
            "keep_archive_names",
            OptionType::Bool,
            json!(false),
            "By default, it is assumed that all doc names are unique to the whole corpus, so the \
             same doc names are used once the documents are put into their new archives. If doc \
             names are only unique within the input archives, use this and the input archive \
             names will be included in the output document names. Default: False",
        ),
        option(
            "archive_basename",
            OptionType::String,
            json!("archive"),
            "Basename to use for archives in the output corpus. Default: 'archive'",
        ),
        option(
            "seed",
            OptionType::Int,
            json!(999),
            "Seed for the random number generator, so that the same shuffle is made every time. \
             Default: 999",
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
    ctx.log
        .info(format!("Reading {total} documents from input corpus"));
    let opts = ctx.options();
    let keep_names = options::flag(opts, "keep_archive_names");
    let num_bins = match options::int(opts, "num_bins") {
        Some(n) if n < 1 => return Err(Error::msg("num_bins must be at least 1")),
        Some(n) => n as u64,
        None => {
            let bin_size = options::int(opts, "bin_size").unwrap_or(100).max(1) as u64;
            total.div_ceil(bin_size).max(1)
        }
    };
    ctx.log.info(format!(
        "Storing documents in {num_bins} temporary bins with expected size {}",
        total / num_bins
    ));
    let mut rng = Mt19937::numpy(numpy_seed(ctx, 999)?);
    let temp_dir = output_dir(ctx, "corpus")?.join("bins");
    if temp_dir.exists() {
        fs::remove_dir_all(&temp_dir)
            .map_err(|e| Error::msg(format!("could not remove {}: {e}", temp_dir.display())))?;
    }
    fs::create_dir_all(&temp_dir)
        .map_err(|e| Error::msg(format!("could not create {}: {e}", temp_dir.display())))?;
    let digits = (num_bins - 1).to_string().len();
    let bin_paths: Vec<_> = (0..num_bins)
        .map(|i| temp_dir.join(format!("bin-{i:0digits$}.prc")))
        .collect();
    let mut bins = bin_paths
        .iter()
        .map(PimarcWriter::create)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    ctx.log.info(format!(
        "Shuffling docs into temporary bins in {}",
        temp_dir.display()
    ));
    let (mut largest, mut size, mut prev) = (0u64, 0u64, None::<String>);
    let mut docs = corpus.docs()?;
    let mut progress = Progress::new(ctx, total);
    let mut renamed;
    while let Some(doc) = docs.next_doc()? {
        if prev.as_deref() == Some(doc.archive) {
            size += 1;
        } else {
            prev = Some(doc.archive.to_string());
            size = 1;
        }
        largest = largest.max(size);
        let name = if keep_names {
            renamed = format!("{}__{}", doc.archive, doc.name);
            renamed.as_str()
        } else {
            doc.name
        };
        let bin = rng.interval(num_bins - 1) as usize;
        bins[bin].write_file(name, None, doc.data)?;
        progress.tick();
    }
    drop(docs);
    for bin in bins {
        bin.finish()?;
    }
    ctx.log.info(format!(
        "Detected archive size of {largest} from input corpus"
    ));
    let basename = options::string(opts, "archive_basename").unwrap_or("archive");
    let mut grouper = ArchiveGrouper::new(largest.max(1) as usize, total as usize, basename)?;
    let mut writer = corpus_writer(ctx, "corpus", &corpus.metadata())?;
    let mut entry = PimarcEntry::default();
    for path in &bin_paths {
        let mut reader = PimarcReader::open(path)?;
        let mut offsets: Vec<u64> = reader
            .index()?
            .entries()
            .map(|(_, e)| e.metadata_start)
            .collect();
        rng.shuffle(&mut offsets);
        for offset in offsets {
            reader.read_at(offset, &mut entry)?;
            writer.add_document(grouper.next_document(), &entry.name, &entry.data, None)?;
        }
    }
    writer.finish()?;
    fs::remove_dir_all(&temp_dir)
        .map_err(|e| Error::msg(format!("could not remove {}: {e}", temp_dir.display())))?;
    Ok(())
}
