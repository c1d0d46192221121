//! `pimlico.modules.corpora.shuffle`: all the documents of a stored corpus in a random order
//! (NumPy's seeded shuffle, as the original: same seed, same order), regrouped into archives
//! as large as the input's largest.

use std::collections::HashMap;

use pimlico_config::{ModuleSignature, OptionType};
use pimlico_core::types::{ModuleContext, ModuleError, Outcome};
use serde_json::json;

use crate::catalogue::decl::{corpus_output_from_input, input, module, option};
use crate::error::{Error, Result};
use crate::formats::grouped::{ArchiveGrouper, ArchiveKind};
use crate::formats::pimarc::{PimarcEntry, PimarcReader};
use crate::types::common::{Progress, corpus_writer, input_corpus};
use crate::types::{Behaviour, TypeDef};
use crate::util::options;
use crate::util::rng::Mt19937;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.shuffle",
    signature,
    behaviour: Behaviour::Execute(execute),
    check: None,
    source_ready: None,
};

/// Archives kept open at once while reading documents in random order.
const OPEN_ARCHIVES: usize = 64;

fn signature() -> ModuleSignature {
    let mut sig = module(
        "shuffle",
        "Randomly shuffles all the documents in a stored grouped corpus, outputting them to a \
         new set of archives with the same sizes as the input archives.",
    );
    sig.inputs = vec![input("corpus", "GroupedCorpus")];
    sig.outputs = vec![corpus_output_from_input(
        "corpus",
        "GroupedCorpus",
        "corpus",
    )];
    sig.options = vec![
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
            "Seed for the random number generator. The RNG is always seeded, for \
             reproducibility. Default: 999",
        ),
    ];
    sig
}

fn execute(ctx: &mut ModuleContext<'_>) -> Result<Outcome, ModuleError> {
    run(ctx)?;
    Ok(Outcome::default())
}

/// A NumPy legacy seed: an integer in 0..2^32.
pub(super) fn numpy_seed(ctx: &ModuleContext<'_>, default: i64) -> Result<u32> {
    let seed = options::int(ctx.options(), "seed").unwrap_or(default);
    u32::try_from(seed)
        .map_err(|_| Error::msg(format!("Seed must be between 0 and 2**32 - 1, got {seed}")))
}

fn run(ctx: &mut ModuleContext<'_>) -> Result<()> {
    let corpus = input_corpus(ctx, "corpus")?;
    let stored = corpus.stored().ok_or_else(|| {
        Error::msg(format!(
            "input corpus to be randomly shuffled ({}) is not stored as a pipeline-internal \
             corpus, so can't be randomly accessed. Consider using the 'shuffle_linear' module \
             type instead",
            corpus.describe()
        ))
    })?;
    let reader = stored.reader();
    if reader.archives().iter().any(|a| a.kind == ArchiveKind::Tar) {
        return Err(Error::msg(
            "input corpus is stored using the old tar format. Re-run the module that produced \
             this output to get it in pimarc format (or use the 'shuffle_linear' module)",
        ));
    }
    let total = corpus.len()?;
    ctx.log
        .info(format!("Shuffling {total} documents from input corpus"));
    ctx.log.info("Reading in document indices");
    let mut docs: Vec<(usize, u64)> = Vec::new();
    let mut largest = 0;
    for (num, archive) in reader.archives().iter().enumerate() {
        let mut r = PimarcReader::open(&archive.path)?;
        let index = r.index()?;
        largest = largest.max(index.len());
        docs.extend(index.entries().map(|(_, e)| (num, e.metadata_start)));
    }
    ctx.log.info("Shuffling documents");
    Mt19937::numpy(numpy_seed(ctx, 999)?).shuffle(&mut docs);
    ctx.log.info("Writing randomly shuffled output corpus");
    let basename = options::string(ctx.options(), "archive_basename").unwrap_or("archive");
    let mut grouper = ArchiveGrouper::new(largest.max(1), total as usize, basename)?;
    let mut writer = corpus_writer(ctx, "corpus", &corpus.metadata())?;
    let mut open: HashMap<usize, PimarcReader> = HashMap::new();
    let mut entry = PimarcEntry::default();
    let mut progress = Progress::new(ctx, docs.len() as u64);
    for (num, offset) in docs {
        let archive = &reader.archives()[num];
        let archive_name = grouper.next_document().to_string();
        if reader.gzip() {
            let name = {
                let r = open_archive(&mut open, num, &archive.path)?;
                r.read_at(offset, &mut entry)?;
                entry
                    .name
                    .strip_suffix(".gz")
                    .unwrap_or(&entry.name)
                    .to_string()
            };
            let data = reader.get(&archive.name, &name)?;
            writer.add_document(&archive_name, &name, &data, None)?;
        } else {
            open_archive(&mut open, num, &archive.path)?.read_at(offset, &mut entry)?;
            let metadata = entry.metadata().ok().filter(|m| m.len() > 1);
            writer.add_document(&archive_name, &entry.name, &entry.data, metadata.as_ref())?;
        }
        progress.tick();
    }
    writer.finish()?;
    Ok(())
}

fn open_archive<'a>(
    open: &'a mut HashMap<usize, PimarcReader>,
    num: usize,
    path: &std::path::Path,
) -> Result<&'a mut PimarcReader> {
    if !open.contains_key(&num) {
        if open.len() >= OPEN_ARCHIVES {
            open.clear();
        }
        open.insert(num, PimarcReader::open(path)?);
    }
    Ok(open.get_mut(&num).expect("just inserted"))
}
