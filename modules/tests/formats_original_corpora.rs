//! Corpus compatibility with the original Pimlico, run for real: the original writes and we
//! read (and our writer produces the same bytes), and we write and the original reads.

mod formats_support;

use std::path::{Path, PathBuf};

use formats_support::{Original, describe_corpus, original, tempdir};
use pimlico_modules::formats::doctype::DocType;
use pimlico_modules::formats::documents::{
    IntFormat, IntListsFormat, encode_char_tokenized, encode_int_list, encode_segmented_lines,
    encode_text, encode_tokenized,
};
use pimlico_modules::formats::grouped::{self, GroupedCorpusWriter, WriterOptions};
use pimlico_modules::formats::invalid::InvalidDocument;
use pimlico_modules::formats::metadata::Metadata;
use serde_json::{Value, json};

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn ints(v: &Value) -> Vec<i128> {
    let int = |i: &Value| {
        i.as_i64()
            .map(i128::from)
            .or(i.as_u64().map(i128::from))
            .unwrap()
    };
    v.as_array().unwrap().iter().map(int).collect()
}

/// Encodes a document given as in the drivers' specs, as a module would with our encoders.
fn encode(doc_type: &str, metadata: &Metadata, doc: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(inv) = doc.get("invalid") {
        let parts = strings(inv);
        InvalidDocument::new(&parts[0], &parts[1]).encode(&mut out);
        return out;
    }
    if let Some(raw) = doc.get("raw") {
        let raw = raw.as_str().unwrap();
        return (0..raw.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&raw[i..i + 2], 16).unwrap())
            .collect();
    }
    match doc_type {
        "TokenizedDocumentType" => {
            let sentences: Vec<Vec<String>> = doc["sentences"]
                .as_array()
                .unwrap()
                .iter()
                .map(strings)
                .collect();
            encode_tokenized(&sentences, &mut out);
        }
        "CharacterTokenizedDocumentType" => {
            let sentences: Vec<String> = doc["sentences"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| strings(s).concat())
                .collect();
            encode_char_tokenized(&sentences, &mut out);
        }
        "SegmentedLinesDocumentType" => {
            let lines: Vec<Vec<String>> = doc["sentences"]
                .as_array()
                .unwrap()
                .iter()
                .map(strings)
                .collect();
            encode_segmented_lines(&lines, &mut out);
        }
        "IntegerListsDocumentType" => {
            let rows: Vec<Vec<i128>> = doc["lists"].as_array().unwrap().iter().map(ints).collect();
            IntListsFormat::from_metadata(metadata)
                .unwrap()
                .encode(&rows, &mut out)
                .unwrap();
        }
        "IntegerListDocumentType" => {
            encode_int_list(
                IntFormat::from_metadata(metadata).unwrap(),
                &ints(&doc["list"]),
                &mut out,
            )
            .unwrap();
        }
        "LabelDocumentType" => encode_text(doc["label"].as_str().unwrap(), &mut out),
        _ => encode_text(doc["text"].as_str().unwrap(), &mut out),
    }
    out
}

/// Writes a corpus job's documents with our writer.
fn write_ours(dir: &Path, job: &Value) {
    let doc_type = job["doc_type"].as_str().unwrap();
    let mut options = WriterOptions::default();
    if let Some(kw) = job.get("writer_kwargs") {
        options.metadata = kw.as_object().unwrap().clone();
    }
    let mut w =
        GroupedCorpusWriter::create(dir, DocType::lookup(doc_type).unwrap(), options).unwrap();
    let metadata = w.metadata().clone();
    for d in job["docs"].as_array().unwrap() {
        let data = encode(doc_type, &metadata, &d[2]);
        w.add_document(d[0].as_str().unwrap(), d[1].as_str().unwrap(), &data, None)
            .unwrap();
    }
    w.finish().unwrap();
}

/// What the original should report for a job's documents: the spec itself, with labels
/// reported as text and character sentences as lists of characters.
fn expected_docs(job: &Value) -> Value {
    let docs = job["docs"].as_array().unwrap().iter().map(|d| {
        let mut doc = d[2].clone();
        if let Some(label) = doc.get("label").cloned() {
            doc = json!({"text": label});
        }
        json!([d[0], d[1], doc])
    });
    Value::Array(docs.collect())
}

fn corpus_jobs(root: &Path) -> Vec<Value> {
    let text =
        "Resumption of the session\nI declare resumed the session of the European Parliament.";
    let invalid = json!({"invalid": ["mymodule", "ValueError: bad input\nTraceback (most recent call last):\n  x"]});
    vec![
        json!({"doc_type": "TokenizedDocumentType", "docs": [
            ["archive-0", "doc1.txt", {"sentences": [["Resumption", "of", "the", "session"], ["I", "declare", "."]]}],
            ["archive-0", "caf\u{e9} \u{1F600}.txt", {"sentences": [["\u{e9}t\u{e9}", "\u{4e16}\u{754c}"]]}],
            ["archive-0", "blank-lines", {"sentences": [["a"], [""], ["b", "", "c"]]}],
            ["archive-1", "broken", invalid],
            ["archive-1", "last", {"sentences": [["z"]]}],
        ]}),
        json!({"doc_type": "CharacterTokenizedDocumentType", "docs": [
            ["a", "d", {"sentences": [["h", "\u{e9}", " ", "x"], ["y"]]}],
        ]}),
        json!({"doc_type": "SegmentedLinesDocumentType", "docs": [
            ["a", "d", {"sentences": [["a/b", "c"], ["d", ""]]}],
        ]}),
        json!({"doc_type": "RawTextDocumentType", "docs": [
            ["archive-0", "d1", {"text": text}],
            ["archive-0", "d2", {"text": ""}],
            ["archive-1", "d3", {"text": "tab\there \"quoted\" back\\slash \u{2028}"}],
        ]}),
        json!({"doc_type": "TextDocumentType", "docs": [["a", "t", {"text": text}]]}),
        json!({"doc_type": "LabelDocumentType", "docs": [["a", "l1", {"label": "2004-07"}], ["a", "l2", {"label": "x"}]]}),
        json!({"doc_type": "IntegerListsDocumentType", "docs": [
            ["archive-0", "ids1", {"lists": [[500, 0, 18446744073709551615u64], [], [7]]}],
            ["archive-0", "ids2", invalid],
        ]}),
        json!({"doc_type": "IntegerListsDocumentType",
               "writer_kwargs": {"bytes": 2, "signed": true, "row_length_bytes": 4},
               "docs": [["archive-0", "small", {"lists": [[-32768, -1, 0, 32767], [1]]}]]}),
        json!({"doc_type": "IntegerListDocumentType", "writer_kwargs": {"bytes": 4},
               "docs": [["a", "one", {"list": [1, 2, 4294967295u64]}], ["a", "two", {"list": []}]]}),
        json!({"doc_type": "RawDocumentType", "docs": [["a", "bin", {"raw": "00ff10806d"}]]}),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, mut job)| {
        job["kind"] = json!("corpus");
        job["dir"] = json!(root.join(format!("orig-{i}")).to_str().unwrap());
        job
    })
    .collect()
}

fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        let rel = entry
            .strip_prefix(dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        out.push((rel, std::fs::read(&entry).unwrap()));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn with_original(test: &str) -> Option<Original> {
    original(test)
}

fn job_dir(job: &Value) -> &Path {
    Path::new(job["dir"].as_str().unwrap())
}

#[test]
fn original_corpora_read_the_same_and_match_our_bytes() {
    let Some(orig) = with_original("original_corpora_read_the_same_and_match_our_bytes") else {
        return;
    };
    let tmp = tempdir();
    let jobs = corpus_jobs(tmp.path());
    orig.write(&Value::Array(jobs.clone()));
    let requests: Vec<(&str, &Path, Option<&str>)> = jobs
        .iter()
        .map(|j| ("corpus", job_dir(j), j["doc_type"].as_str()))
        .collect();
    let theirs_all = orig.read_many(&requests);
    for (job, theirs) in jobs.iter().zip(theirs_all) {
        let doc_type = job["doc_type"].as_str().unwrap();
        let dir = job_dir(job);
        grouped::ready(dir).unwrap();
        let ours = describe_corpus(dir, doc_type);
        assert_eq!(
            ours["docs"],
            expected_docs(job),
            "{doc_type}: we read what the original wrote"
        );
        assert_eq!(ours, theirs, "{doc_type}: we read as the original reads");

        let mine = tmp.path().join(format!(
            "{}-ours",
            dir.file_name().unwrap().to_str().unwrap()
        ));
        write_ours(&mine, job);
        let (theirs_files, our_files) = (files_under(dir), files_under(&mine));
        assert_eq!(
            theirs_files.iter().map(|f| &f.0).collect::<Vec<_>>(),
            our_files.iter().map(|f| &f.0).collect::<Vec<_>>(),
            "{doc_type}: same files"
        );
        for ((name, theirs), (_, ours)) in theirs_files.iter().zip(&our_files) {
            assert!(
                theirs == ours,
                "{doc_type}: {name} differs:\noriginal: {}\nours:     {}",
                String::from_utf8_lossy(theirs),
                String::from_utf8_lossy(ours)
            );
        }
    }
}

#[test]
fn original_reads_what_we_write() {
    let Some(orig) = with_original("original_reads_what_we_write") else {
        return;
    };
    let tmp = tempdir();
    let jobs = corpus_jobs(tmp.path());
    let dirs: Vec<PathBuf> = (0..jobs.len())
        .map(|i| tmp.path().join(format!("ours-{i}")))
        .collect();
    for (job, dir) in jobs.iter().zip(&dirs) {
        write_ours(dir, job);
    }
    // A gzipped corpus (the original's writer cannot produce one, but reads this layout).
    let gz = tmp.path().join("gz");
    let mut options = WriterOptions::default();
    options.metadata.insert("gzip".into(), json!(true));
    let mut w = GroupedCorpusWriter::create(
        &gz,
        DocType::lookup("RawTextDocumentType").unwrap(),
        options,
    )
    .unwrap();
    w.add_document("archive-0", "a", "compressed \u{e9}".as_bytes(), None)
        .unwrap();
    w.add_document("archive-1", "b", b"", None).unwrap();
    w.finish().unwrap();

    let mut requests: Vec<(&str, &Path, Option<&str>)> = jobs
        .iter()
        .zip(&dirs)
        .map(|(j, d)| ("corpus", d.as_path(), j["doc_type"].as_str()))
        .collect();
    requests.push(("corpus", &gz, Some("RawTextDocumentType")));
    let mut theirs_all = orig.read_many(&requests);
    let theirs_gz = theirs_all.pop().unwrap();
    for (job, theirs) in jobs.iter().zip(theirs_all) {
        let doc_type = job["doc_type"].as_str().unwrap();
        assert_eq!(
            theirs["docs"],
            expected_docs(job),
            "{doc_type}: the original reads what we wrote"
        );
        assert_eq!(
            theirs["length"],
            json!(job["docs"].as_array().unwrap().len())
        );
    }
    assert_eq!(
        theirs_gz["docs"],
        json!([["archive-0", "a", {"text": "compressed \u{e9}"}], ["archive-1", "b", {"text": ""}]])
    );
    assert_eq!(theirs_gz["metadata"], json!({"length": 2, "gzip": true}));
}

#[test]
fn compressed_and_tar_corpora_from_python() {
    let Some(orig) = with_original("compressed_and_tar_corpora_from_python") else {
        return;
    };
    let tmp = tempdir();
    let docs = json!([
        ["archive-0", "one", "first document"],
        ["archive-0", "two \u{e9}", "second \u{e9}"],
        ["archive-1", "three", ""],
        [
            "archive-1",
            &format!("{}/long name", "x".repeat(120)),
            "long names need extended headers"
        ],
    ]);
    let jobs: Vec<Value> = [
        json!({"kind": "gzip_corpus"}),
        json!({"kind": "gzip_corpus", "zlib": true}),
        json!({"kind": "tar_corpus", "format": "gnu"}),
        json!({"kind": "tar_corpus", "format": "pax"}),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, mut j)| {
        j["dir"] = json!(tmp.path().join(format!("c{i}")).to_str().unwrap());
        j["docs"] = docs.clone();
        j
    })
    .collect();
    orig.write(&Value::Array(jobs.clone()));
    let expected: Vec<Value> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| json!([d[0], d[1], {"text": d[2]}]))
        .collect();
    let requests: Vec<(&str, &Path, Option<&str>)> = jobs
        .iter()
        .map(|j| ("corpus", job_dir(j), Some("RawTextDocumentType")))
        .collect();
    let theirs_all = orig.read_many(&requests);
    for (job, theirs) in jobs.iter().zip(theirs_all) {
        let ours = describe_corpus(job_dir(job), "RawTextDocumentType");
        assert_eq!(ours["docs"], Value::Array(expected.clone()), "{job}");
        if job["kind"] == "gzip_corpus" && job.get("zlib").is_none() {
            // The original strips `.gz` from the name before testing for it, then fails to
            // zlib-decompress gzip data: it cannot read the layout its own docs describe.
            let err = theirs["error"].as_str().unwrap_or_default();
            assert!(err.contains("zlib.error"), "{theirs}");
        } else {
            assert_eq!(ours, theirs, "{job}");
        }
    }
}
