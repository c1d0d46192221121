//! Behaviour of the native module types beyond the original's test pipelines: filter chains,
//! options reaching filters, integer encodings passed through filters, invalid documents,
//! readiness of input readers, and clear failures. Pipelines run through the real run flow
//! (each module in an `internal-exec` child of this test binary).

mod pipeline_support;

use std::path::Path;

use libtest_mimic::{Arguments, Failed, Trial};
use pimlico_core::engine::RunOptions;
use pimlico_modules::formats::doctype::DocType;
use pimlico_modules::formats::grouped::{GroupedCorpusWriter, WriterOptions};
use pimlico_modules::formats::invalid::InvalidDocument;
use pipeline_support::{Run, fixtures, run_config, stored_docs};

fn main() {
    pimlico_modules::run::dispatch_internal_exec();
    let args = Arguments::from_args();
    let trials = vec![
        Trial::test(
            "filter_chains_give_what_executed_modules_write",
            filter_chains,
        ),
        Trial::test(
            "integer_encodings_survive_filters_and_views",
            integer_encodings,
        ),
        Trial::test("views_skip_and_pass_invalid_documents", invalid_documents),
        Trial::test(
            "input_readers_are_ready_only_with_their_files",
            reader_readiness,
        ),
        Trial::test(
            "shuffle_refuses_computed_input_clearly",
            shuffle_needs_storage,
        ),
        Trial::test("split_lists_both_sets_when_asked", split_lists),
        Trial::test("format_prints_integer_lists_as_python_would", format_ints),
        Trial::test("failed_document_maps_resume_where_they_stopped", resume),
    ];
    libtest_mimic::run(&args, trials).exit();
}

/// Runs a pipeline given as text (`%(test_data_dir)s` is the fixtures folder).
fn run(config: &str, processes: usize) -> Result<Run, String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = tmp.path().join("pipeline.conf");
    std::fs::write(
        &path,
        format!("[pipeline]\nname=test\nrelease=latest\n\n{config}"),
    )
    .map_err(|e| e.to_string())?;
    run_config(path, tmp, &fixtures(), processes)
}

fn docs(run: &Run, module: &str, output: &str) -> Vec<(String, String, String)> {
    run.modules[module].outputs[output]
        .documents
        .clone()
        .unwrap_or_default()
}

fn metadata(run: &Run, module: &str, output: &str) -> serde_json::Value {
    serde_json::from_str(&run.modules[module].outputs[output].corpus_metadata).unwrap()
}

fn ensure(ok: bool, message: impl Into<String>) -> Result<(), Failed> {
    if ok {
        Ok(())
    } else {
        Err(message.into().into())
    }
}

const EUROPARL: &str = "[text]\ntype=pimlico.datatypes.corpora.GroupedCorpus\n\
    data_point_type=RawTextDocumentType\ndir=%(test_data_dir)s/datasets/text_corpora/europarl\n\n";

fn filter_chains() -> Result<(), Failed> {
    let config = format!(
        "{EUROPARL}[tok]\ntype=pimlico.modules.text.simple_tokenize\nfilter=T\n\n\
         [norm]\ntype=pimlico.modules.text.normalize\nfilter=T\ncase=upper\nremove_punct=T\n\n\
         [stored]\ntype=pimlico.modules.corpora.store\n\n\
         [tok2]\ntype=pimlico.modules.text.simple_tokenize\ninput_corpus=text\n\n\
         [norm2]\ntype=pimlico.modules.text.normalize\ncase=upper\nremove_punct=T\n"
    );
    let ran = run(&config, 2)?;
    let through_filters = docs(&ran, "stored", "corpus");
    ensure(through_filters.len() == 5, "five documents stored")?;
    ensure(
        through_filters == docs(&ran, "norm2", "corpus"),
        "filters give the executed modules' documents",
    )?;
    ensure(
        through_filters != docs(&ran, "tok2", "corpus"),
        "the filter's options (case=upper, remove_punct) were applied",
    )
}

fn integer_encodings() -> Result<(), Failed> {
    let config = "[tokens]\ntype=pimlico.datatypes.corpora.GroupedCorpus\n\
        data_point_type=TokenizedDocumentType\ndir=%(test_data_dir)s/datasets/corpora/tokenized\n\n\
        [vocab]\ntype=pimlico.modules.corpora.vocab_builder\n\n\
        [ids]\ntype=pimlico.modules.corpora.vocab_mapper\ninput_text=tokens\ninput_vocab=vocab\n\
        row_length_bytes=4\nfilter=T\n\n\
        [some]\ntype=pimlico.modules.corpora.subset\nsize=3\noffset=1\n\n\
        [stored]\ntype=pimlico.modules.corpora.store\n\n\
        [words]\ntype=pimlico.modules.corpora.vocab_unmapper\ninput_ids=stored\ninput_vocab=vocab\n\n\
        [counts]\ntype=pimlico.modules.corpora.vocab_counter\ninput_corpus=stored\n\
        input_vocab=vocab\n";
    let ran = run(config, 2)?;
    let meta = metadata(&ran, "stored", "corpus");
    ensure(
        meta["row_length_bytes"] == 4 && meta["length"] == 3,
        format!("stored ids keep the filter's encoding: {meta}"),
    )?;
    let input = stored_docs(&fixtures().join("datasets/corpora/tokenized"));
    let words = docs(&ran, "words", "text");
    ensure(
        words
            .iter()
            .map(|d| &d.2)
            .eq(input[1..4].iter().map(|d| &d.2)),
        "unmapping the stored ids gives the tokens back",
    )?;
    let counts = &ran.modules["counts"].outputs["distribution"];
    ensure(
        counts.files.as_ref().is_some_and(|f| f[0].0 == "array.npy"),
        "the counts are an array",
    )
}

/// A stored raw text corpus with an invalid document in the middle.
fn corpus_with_invalid(dir: &Path) {
    let doc_type = DocType::by_class_name("RawTextDocumentType").unwrap();
    let mut w = GroupedCorpusWriter::create(dir, doc_type, WriterOptions::default()).unwrap();
    let invalid = InvalidDocument::new("earlier", "it broke").to_bytes();
    for (name, data) in [
        ("a", b"one two".as_slice()),
        ("b", &invalid),
        ("c", b"three"),
        ("d", b"four five"),
    ] {
        w.add_document("archive-0", name, data, None).unwrap();
    }
    w.finish().unwrap();
}

fn invalid_documents() -> Result<(), Failed> {
    let tmp = tempfile::tempdir()?;
    corpus_with_invalid(tmp.path());
    let config = format!(
        "[text]\ntype=GroupedCorpus\ndata_point_type=RawTextDocumentType\ndir={}\n\n\
         [valid]\ntype=pimlico.modules.corpora.subset\nsize=2\noffset=1\nskip_invalid=T\n\n\
         [tok]\ntype=pimlico.modules.text.simple_tokenize\n\n\
         [all]\ntype=pimlico.modules.corpora.subset\ninput_corpus=text\nsize=2\noffset=1\n\n\
         [tok_all]\ntype=pimlico.modules.text.simple_tokenize\n",
        tmp.path().display()
    );
    let ran = run(&config, 1)?;
    let names =
        |m: &str| -> Vec<String> { docs(&ran, m, "corpus").into_iter().map(|d| d.1).collect() };
    ensure(
        names("tok") == ["c", "d"],
        format!("skip_invalid subset: {:?}", names("tok")),
    )?;
    ensure(
        names("tok_all") == ["b", "c"],
        format!("plain subset: {:?}", names("tok_all")),
    )?;
    let invalid = blake3::hash(&InvalidDocument::new("earlier", "it broke").to_bytes())
        .to_hex()
        .to_string();
    ensure(
        docs(&ran, "tok_all", "corpus")[0].2 == invalid,
        "the invalid document passed through tokenization unchanged",
    )
}

fn reader_readiness() -> Result<(), Failed> {
    let reader = |files: &str| {
        format!(
            "[files]\ntype=pimlico.modules.input.text.raw_text_files\nfiles={files}\n\n\
             [stored]\ntype=pimlico.modules.corpora.store\n"
        )
    };
    let err = run(&reader("/nonexistent/dir/*.txt"), 1)
        .err()
        .unwrap_or_default();
    ensure(
        err.contains("None of the unexecuted modules are ready to run"),
        format!("a reader without files is not ready: {err}"),
    )?;
    let ok = run(
        &reader("%(test_data_dir)s/datasets/europarl_en_raw/ep-01-01-15.txt:2-4,?/nonexistent.txt"),
        1,
    )?;
    let stored = docs(&ok, "stored", "corpus");
    ensure(
        stored.len() == 1 && stored[0].1 == "ep-01-01-15.txt",
        format!("optional missing files are skipped: {stored:?}"),
    )?;
    let text =
        std::fs::read_to_string(fixtures().join("datasets/europarl_en_raw/ep-01-01-15.txt"))?;
    let lines: Vec<&str> = text.split('\n').collect();
    let wanted = lines[1..4].join("\n");
    ensure(
        stored[0].2 == blake3::hash(wanted.as_bytes()).to_hex().to_string(),
        "a line range keeps lines 2 to 4",
    )
}

fn shuffle_needs_storage() -> Result<(), Failed> {
    let config = format!(
        "{EUROPARL}[tok]\ntype=pimlico.modules.text.simple_tokenize\nfilter=T\n\n\
         [shuffled]\ntype=pimlico.modules.corpora.shuffle\n"
    );
    let err = run(&config, 1).err().unwrap_or_default();
    ensure(
        err.contains("shuffled") && err.contains("shuffle_linear"),
        format!("shuffle of a filter fails pointing at shuffle_linear: {err}"),
    )
}

fn split_lists() -> Result<(), Failed> {
    let config = format!(
        "{EUROPARL}[split]\ntype=pimlico.modules.corpora.split\nset1_size=0.4\nseed=7\n\
         output=doc_list2\n"
    );
    let ran = run(&config, 1)?;
    let list = |o: &str| pipeline_support::string_list(&ran.modules["split"].dirs[o]);
    let names =
        |o: &str| -> Vec<String> { docs(&ran, "split", o).into_iter().map(|d| d.1).collect() };
    ensure(list("doc_list1") == names("set1"), "doc_list1 names set 1")?;
    ensure(list("doc_list2") == names("set2"), "doc_list2 names set 2")?;
    ensure(names("set1").len() == 2, "40% of 5 documents")
}

fn format_ints() -> Result<(), Failed> {
    let config = "[ids]\ntype=pimlico.datatypes.corpora.GroupedCorpus\n\
        data_point_type=IntegerListsDocumentType\ndir=%(test_data_dir)s/datasets/corpora/ids\n\n\
        [formatted]\ntype=pimlico.modules.corpora.format\n";
    let ran = run(config, 1)?;
    let dir = &ran.modules["formatted"].dirs["formatted"];
    let reader = pimlico_modules::formats::grouped::GroupedCorpusReader::open(dir)?;
    let first = reader.docs().next().unwrap()?;
    let text = String::from_utf8(first.data)?;
    ensure(
        text.starts_with("{'lists': [[") && text.ends_with("]]}"),
        format!("formatted integer lists: {text}"),
    )
}

/// A stored raw text corpus of six documents, the fourth not UTF-8 unless `fixed`.
fn six_docs(dir: &Path, fixed: bool) {
    let doc_type = DocType::by_class_name("RawTextDocumentType").unwrap();
    let mut w = GroupedCorpusWriter::create(dir, doc_type, WriterOptions::default()).unwrap();
    for (i, name) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
        let data = if i == 3 && !fixed {
            b"bad \xff byte".to_vec()
        } else {
            format!("doc {name}\nline two of {name}").into_bytes()
        };
        w.add_document(
            if i < 4 { "archive-0" } else { "archive-1" },
            name,
            &data,
            None,
        )
        .unwrap();
    }
    w.finish().unwrap();
}

fn resume() -> Result<(), Failed> {
    let tmp = tempfile::tempdir()?;
    let corpus = tmp.path().join("corpus");
    six_docs(&corpus, false);
    let config = tmp.path().join("p.conf");
    std::fs::write(
        &config,
        format!(
            "[pipeline]\nname=p\nrelease=latest\n\n[text]\ntype=GroupedCorpus\n\
             data_point_type=RawTextDocumentType\ndir={}\n\n[tok]\n\
             type=pimlico.modules.text.simple_tokenize\n",
            corpus.display()
        ),
    )?;
    let local = tmp.path().join("local.conf");
    std::fs::write(
        &local,
        format!("store={}\n", tmp.path().join("store").display()),
    )?;
    let all = RunOptions {
        all: true,
        ..RunOptions::default()
    };
    let go = || pimlico_modules::run::run_pipeline(config.clone(), local.clone(), Vec::new(), &all);
    let first = go();
    ensure(
        first.summary.as_ref().is_ok_and(|s| s.failed == ["tok"]),
        format!("the first run fails: {:?}", first.summary),
    )?;
    let module_dir = tmp.path().join("store/p/main/tok");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(module_dir.join("metadata"))?)?;
    ensure(
        meta["status"] == "PARTIALLY_PROCESSED"
            && meta["docs_completed"] == 3
            && meta["last_doc_completed"] == "archive-0/c",
        format!("progress recorded: {meta}"),
    )?;
    let out: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        module_dir.join("corpus/corpus_metadata"),
    )?)?;
    ensure(out["writing"] == true, "the partial output is not ready")?;

    six_docs(&corpus, true);
    let second = go();
    ensure(
        second
            .summary
            .as_ref()
            .is_ok_and(|s| s.succeeded == ["tok"]),
        format!("the second run completes: {:?}", second.summary),
    )?;
    ensure(
        second
            .events
            .messages()
            .iter()
            .any(|m| m.contains("picking up where we left off, after doc archive-0/c")),
        "the second run resumes",
    )?;
    let resumed = stored_docs(&module_dir.join("corpus"));
    let fresh = run(
        &format!(
            "[text]\ntype=GroupedCorpus\ndata_point_type=RawTextDocumentType\ndir={}\n\n\
             [tok]\ntype=pimlico.modules.text.simple_tokenize\n",
            corpus.display()
        ),
        1,
    )?;
    ensure(
        resumed == docs(&fresh, "tok", "corpus"),
        format!("resumed output {resumed:?} is what a fresh run writes"),
    )?;
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(module_dir.join("metadata"))?)?;
    ensure(
        meta["status"] == "COMPLETE" && meta.get("docs_completed").is_none(),
        format!("progress cleared once complete: {meta}"),
    )
}
