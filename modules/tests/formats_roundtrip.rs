//! Our writers, read back with our readers.

mod formats_support;

use formats_support::tempdir;
use pimlico_modules::formats::doctype::DocType;
use pimlico_modules::formats::documents::{
    self, Document, IntFormat, IntListsFormat, Tokenized, encode_tokenized,
};
use pimlico_modules::formats::grouped::{
    self, ArchiveGrouper, GroupedCorpusReader, GroupedCorpusWriter, IterOptions, WriterOptions,
};
use pimlico_modules::formats::invalid::InvalidDocument;
use pimlico_modules::formats::metadata::read_metadata;
use pimlico_modules::formats::named_files::NamedFileCollection;
use pimlico_modules::formats::pickle::PyValue;
use pimlico_modules::formats::pimarc::{PimarcEntry, PimarcIndex, PimarcReader, index_path};
use pimlico_modules::formats::ready::NotReady;
use pimlico_modules::formats::stats::CorpusStats;
use pimlico_modules::formats::{dict, dictionary, npy, string_list};
use serde_json::{Value, json};

fn doc_type(name: &str) -> &'static DocType {
    DocType::lookup(name).unwrap()
}

fn names(reader: &GroupedCorpusReader, options: IterOptions) -> Vec<String> {
    reader
        .docs_with(options)
        .map(|d| {
            let d = d.unwrap();
            format!("{}/{}", d.archive, d.name)
        })
        .collect()
}

/// Writes `n` text documents `d0`.. in archives of three named by the grouper.
fn write_text_corpus(dir: &std::path::Path, n: usize, options: WriterOptions) {
    let mut w = GroupedCorpusWriter::create(dir, doc_type("RawTextDocumentType"), options).unwrap();
    let mut grouper = ArchiveGrouper::new(3, n, "archive").unwrap();
    for i in 0..n {
        let archive = grouper.next_document().to_string();
        w.add_document(
            &archive,
            &format!("d{i}"),
            format!("text of document {i}\nline 2").as_bytes(),
            None,
        )
        .unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn tokenized_corpus_with_invalid_documents_round_trips() {
    let tmp = tempdir();
    let dir = tmp.path().join("corpus");
    let docs: Vec<(&str, &str, Vec<Vec<&str>>)> = vec![
        (
            "a-0",
            "first.txt",
            vec![vec!["Hello", "world", "."], vec!["Second", "sentence"]],
        ),
        (
            "a-0",
            "caf\u{e9} \u{1F600}.txt",
            vec![vec!["\u{e9}t\u{e9}"]],
        ),
        ("a-1", "empty", vec![]),
    ];
    let mut w = GroupedCorpusWriter::create(
        &dir,
        doc_type("TokenizedDocumentType"),
        WriterOptions::default(),
    )
    .unwrap();
    assert_eq!(
        grouped::ready(&dir),
        Err(NotReady::BeingWritten(dir.join("corpus_metadata"))),
        "not ready while being written"
    );
    assert_eq!(
        Value::Object(read_metadata(&dir).unwrap()),
        json!({"length": 0, "gzip": false, "writing": true})
    );
    let mut buf = Vec::new();
    for (archive, name, sentences) in &docs {
        buf.clear();
        encode_tokenized(sentences, &mut buf);
        w.add_document(archive, name, &buf, None).unwrap();
    }
    let invalid = InvalidDocument::new("tokenize", "ValueError: no\nTraceback:\n  x");
    w.add_document("a-1", "broken", &invalid.to_bytes(), None)
        .unwrap();
    w.finish().unwrap();

    grouped::ready(&dir).unwrap();
    assert_eq!(
        Value::Object(read_metadata(&dir).unwrap()),
        json!({"length": 4, "gzip": false})
    );
    let reader = GroupedCorpusReader::open(&dir).unwrap();
    let mut it = reader.docs();
    for (archive, name, sentences) in &docs {
        let doc = it.next_doc().unwrap().unwrap();
        assert_eq!((doc.archive, doc.name), (*archive, *name));
        let parsed = Tokenized::parse(doc.data).unwrap().to_vec();
        if sentences.is_empty() {
            assert_eq!(
                parsed,
                vec![vec![""]],
                "an empty document reads as one empty token, as in the original"
            );
        } else {
            assert_eq!(&parsed, sentences);
        }
    }
    let doc = it.next_doc().unwrap().unwrap();
    assert!(doc.is_invalid());
    assert_eq!(
        documents::decode(doc.data, Tokenized::parse).unwrap(),
        Document::Invalid(invalid)
    );
    assert!(it.next_doc().unwrap().is_none());
    assert_eq!(
        reader.get("a-0", "caf\u{e9} \u{1F600}.txt").unwrap(),
        "\u{e9}t\u{e9}".as_bytes()
    );
}

#[test]
fn integer_lists_metadata_and_encoding() {
    let tmp = tempdir();
    let dir = tmp.path().join("ids");
    let mut options = WriterOptions::default();
    options.metadata.insert("bytes".into(), json!(2));
    options.metadata.insert("signed".into(), json!(true));
    options.metadata.insert("row_length_bytes".into(), json!(4));
    let mut w =
        GroupedCorpusWriter::create(&dir, doc_type("IntegerListsDocumentType"), options).unwrap();
    let format = IntListsFormat::from_metadata(w.metadata()).unwrap();
    let rows: Vec<Vec<i128>> = vec![vec![-32768, 0, 32767], vec![], vec![5]];
    let mut buf = Vec::new();
    format.encode(&rows, &mut buf).unwrap();
    w.add_document("archive-0", "d", &buf, None).unwrap();
    w.finish().unwrap();
    let text = std::fs::read_to_string(dir.join("corpus_metadata")).unwrap();
    assert_eq!(
        text,
        r#"{"length": 1, "gzip": false, "bytes": 2, "signed": true, "row_length_bytes": 4}"#
    );
    let reader = GroupedCorpusReader::open(&dir).unwrap();
    let doc = reader.docs().next().unwrap().unwrap();
    assert_eq!(
        IntListsFormat::from_metadata(reader.metadata())
            .unwrap()
            .decode(&doc.data)
            .unwrap(),
        rows
    );
    assert_eq!(
        IntFormat::from_metadata(reader.metadata()).unwrap(),
        IntFormat::new(2, true).unwrap()
    );
}

#[test]
fn gzip_corpus_stores_zlib_data_under_document_names() {
    let tmp = tempdir();
    let dir = tmp.path().join("gz");
    let mut options = WriterOptions::default();
    options.metadata.insert("gzip".into(), json!(true));
    write_text_corpus(&dir, 4, options);
    let mut arc = PimarcReader::open(dir.join("data/archive-0.prc")).unwrap();
    let stored: Vec<String> = arc.index().unwrap().names().map(String::from).collect();
    assert_eq!(stored, ["d0", "d1", "d2"]);
    let mut entry = PimarcEntry::default();
    arc.get("d1", &mut entry).unwrap();
    assert_eq!(
        entry.data[..2],
        [0x78, 0xda],
        "zlib header, best compression"
    );
    let reader = GroupedCorpusReader::open(&dir).unwrap();
    assert!(reader.gzip());
    let docs: Vec<_> = reader.docs().collect::<Result<_, _>>().unwrap();
    assert_eq!(
        docs.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        ["d0", "d1", "d2", "d3"]
    );
    assert_eq!(docs[3].data, b"text of document 3\nline 2");
    let resumed = names(
        &reader,
        IterOptions {
            start_after: Some(("archive-0".into(), Some("d1".into()))),
            skip: None,
        },
    );
    assert_eq!(
        resumed,
        ["archive-0/d2", "archive-1/d3"],
        "resuming works on gzipped corpora"
    );
    assert_eq!(
        reader.get("archive-1", "d3").unwrap(),
        b"text of document 3\nline 2"
    );
}

#[test]
fn iteration_start_points_follow_the_original() {
    let tmp = tempdir();
    let dir = tmp.path().join("c");
    write_text_corpus(&dir, 8, WriterOptions::default());
    let reader = GroupedCorpusReader::open(&dir).unwrap();
    let all = names(&reader, IterOptions::default());
    assert_eq!(all.len(), 8);
    assert_eq!(all[3], "archive-1/d3");
    let skip = |n| {
        names(
            &reader,
            IterOptions {
                start_after: None,
                skip: Some(n),
            },
        )
    };
    assert_eq!(skip(0), all);
    assert_eq!(skip(2), all[2..]);
    assert_eq!(skip(3), all[3..]);
    assert_eq!(skip(7), all[7..]);
    assert!(skip(8).is_empty());
    let after = |a: &str, d: Option<&str>| {
        names(
            &reader,
            IterOptions {
                start_after: Some((a.into(), d.map(String::from))),
                skip: None,
            },
        )
    };
    assert_eq!(after("archive-1", Some("d4")), all[5..]);
    assert_eq!(after("archive-1", None), all[6..]);
    assert!(after("archive-9", None).is_empty());
    // Both given: skipping counts from the archive after the start point, as in the original.
    let both = names(
        &reader,
        IterOptions {
            start_after: Some(("archive-0".into(), Some("d0".into()))),
            skip: Some(1),
        },
    );
    assert_eq!(both, [&all[1..3], &all[4..]].concat());
    let err = reader
        .docs_with(IterOptions {
            start_after: Some(("archive-0".into(), Some("nope".into()))),
            skip: None,
        })
        .next()
        .unwrap()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("wasn't found in archive archive-0"),
        "{err}"
    );
}

#[test]
fn appending_continues_a_corpus_and_rewriting_replaces_it() {
    let tmp = tempdir();
    let dir = tmp.path().join("c");
    write_text_corpus(&dir, 4, WriterOptions::default());
    let mut w = GroupedCorpusWriter::create(
        &dir,
        doc_type("RawTextDocumentType"),
        WriterOptions {
            append: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(w.count(), 4);
    w.add_document("archive-1", "d4", b"four", None).unwrap();
    w.add_document("archive-2", "d5", b"five", None).unwrap();
    let dup = w
        .add_document("archive-2", "d5", b"again", None)
        .unwrap_err();
    assert!(dup.to_string().contains("already in archive"), "{dup}");
    let back = w.add_document("archive-1", "d6", b"x", None).unwrap_err();
    assert!(back.to_string().contains("archive by archive"), "{back}");
    w.finish().unwrap();
    let reader = GroupedCorpusReader::open(&dir).unwrap();
    assert_eq!(reader.len(), Some(6));
    assert_eq!(
        names(&reader, IterOptions::default()).last().unwrap(),
        "archive-2/d5"
    );

    write_text_corpus(&dir, 1, WriterOptions::default());
    let reader = GroupedCorpusReader::open(&dir).unwrap();
    assert_eq!(names(&reader, IterOptions::default()), ["archive-0/d0"]);
    assert!(
        !dir.join("data/archive-2.prc").exists(),
        "old archives are deleted"
    );
}

#[test]
fn writer_refuses_what_the_format_cannot_hold() {
    let tmp = tempdir();
    let mut options = WriterOptions::default();
    options.metadata.insert("colour".into(), json!("blue"));
    let err = GroupedCorpusWriter::create(
        tmp.path().join("x"),
        doc_type("TokenizedDocumentType"),
        options,
    )
    .unwrap_err();
    assert!(err.to_string().contains("colour"), "{err}");
    let mut w = GroupedCorpusWriter::create(
        tmp.path().join("y"),
        doc_type("TokenizedDocumentType"),
        WriterOptions::default(),
    )
    .unwrap();
    assert!(w.add_document("a/b", "d", b"", None).is_err());
    assert!(w.add_document("a", "tab\tname", b"", None).is_err());
    assert!(w.add_document("a", "line\nname", b"", None).is_err());
}

#[test]
fn abandoned_writer_leaves_corpus_not_ready() {
    let tmp = tempdir();
    let dir = tmp.path().join("c");
    let mut w = GroupedCorpusWriter::create(
        &dir,
        doc_type("RawTextDocumentType"),
        WriterOptions::default(),
    )
    .unwrap();
    w.add_document("a", "d0", b"zero", None).unwrap();
    w.add_document("a", "d1", b"one", None).unwrap();
    drop(w);
    assert_eq!(
        Value::Object(read_metadata(&dir).unwrap()),
        json!({"length": 2, "gzip": false, "writing": true})
    );
    assert!(matches!(
        grouped::ready(&dir),
        Err(NotReady::BeingWritten(_))
    ));
    let reader = GroupedCorpusReader::open_unchecked(&dir).unwrap();
    assert_eq!(reader.docs().count(), 2, "what was written stays readable");
}

#[test]
fn index_is_rebuilt_identically() {
    let tmp = tempdir();
    let dir = tmp.path().join("c");
    write_text_corpus(&dir, 3, WriterOptions::default());
    let prc = dir.join("data/archive-0.prc");
    let rebuilt = PimarcReader::open(&prc).unwrap().rebuild_index().unwrap();
    let loaded = PimarcIndex::load(&index_path(&prc)).unwrap();
    assert_eq!(
        rebuilt.entries().collect::<Vec<_>>(),
        loaded.entries().collect::<Vec<_>>()
    );
    let out = tmp.path().join("copy.prci");
    rebuilt.save(&out).unwrap();
    assert_eq!(
        std::fs::read(out).unwrap(),
        std::fs::read(index_path(&prc)).unwrap()
    );
}

#[test]
fn dictionary_round_trips() {
    let tmp = tempdir();
    let mut d = dictionary::DictionaryData::new();
    d.add_documents(
        [
            vec!["the", "cat"],
            vec!["the", "dog", "\u{e9}t\u{e9}"],
            vec!["the", "cat", "sat"],
        ],
        Some(2_000_000),
    );
    d.filter_high_low_extremes(0, 0.5, None, true);
    d.add_term("<oov>");
    assert!(d.stopwords.contains("the"));
    dictionary::write(tmp.path(), &d).unwrap();
    dictionary::ready(tmp.path()).unwrap();
    assert_eq!(dictionary::read(tmp.path()).unwrap(), d);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("corpus_metadata")).unwrap(),
        "{}"
    );
}

#[test]
fn simple_datatypes_round_trip() {
    let tmp = tempdir();
    let sl = tmp.path().join("list");
    string_list::write(&sl, &["one", "tw\u{f6}", "", "four"]).unwrap();
    string_list::ready(&sl).unwrap();
    assert_eq!(
        string_list::read(&sl).unwrap(),
        ["one", "tw\u{f6}", "", "four"]
    );
    assert_eq!(
        std::fs::read(sl.join("data/data")).unwrap(),
        "one\ntw\u{f6}\n\nfour".as_bytes()
    );

    let files = NamedFileCollection::new(&["a.txt", "sub/b.bin"]).unwrap();
    let fdir = tmp.path().join("files");
    let mut w = files.writer(&fdir).unwrap();
    w.write_file("a.txt", b"text").unwrap();
    assert!(
        files.ready(&fdir).is_err(),
        "not ready until every file is written"
    );
    let err = NamedFileCollection::new(&["a.txt", "sub/b.bin"])
        .unwrap()
        .writer(&fdir)
        .unwrap()
        .finish()
        .unwrap_err();
    assert!(err.to_string().contains("write_a.txt"), "{err}");
    w.write_file("sub/b.bin", &[0, 1, 2]).unwrap();
    w.finish().unwrap();
    files.ready(&fdir).unwrap();
    assert_eq!(files.read_file(&fdir, "sub/b.bin").unwrap(), [0, 1, 2]);
    assert!(NamedFileCollection::new(&["../escape"]).is_err());

    let adir = tmp.path().join("array");
    npy::write(&adir, &npy::NpyArray::from_i64(&[3, 0, 7])).unwrap();
    npy::ready(&adir).unwrap();
    assert_eq!(npy::read(&adir).unwrap().to_i64().unwrap(), [3, 0, 7]);

    let ddir = tmp.path().join("dict");
    let items = vec![(
        PyValue::Str("k".into()),
        PyValue::List(vec![PyValue::Int(1), PyValue::Float(2.5)]),
    )];
    dict::write(&ddir, items.clone()).unwrap();
    assert_eq!(dict::read(&ddir).unwrap(), items);
}

#[test]
fn corpus_stats_json_matches_the_original_layout() {
    let mut stats = CorpusStats::default();
    stats.add_document([vec!["a", "bb"], vec!["a"]]);
    stats.add_document([vec!["c\u{e9}", "a", "b"]]);
    let text = stats.to_json_text().unwrap();
    let expected = "{\n    \"types\": 4,\n    \"tokens\": 6,\n    \"sentences\": 3,\n    \"characters\": 11,\n    \
        \"mean chars per sent\": 3.6666666666666665,\n    \"min chars per sent\": 1,\n    \"max chars per sent\": 6,\n    \
        \"mean tokens per sent\": 2.0,\n    \"min tokens per sent\": 1,\n    \"max tokens per sent\": 3,\n    \
        \"mean sents per doc\": 1.5,\n    \"min sents per doc\": 1,\n    \"max sents per doc\": 2,\n    \
        \"mean tokens per doc\": 3.0,\n    \"min tokens per doc\": 3,\n    \"max tokens per doc\": 3\n}";
    assert_eq!(text, expected);
    assert!(
        CorpusStats::default().to_json_text().is_err(),
        "an empty corpus fails, as in the original"
    );
}
