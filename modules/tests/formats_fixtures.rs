//! Reads the original's test datasets with our readers and checks their real contents.

mod formats_support;

use std::path::{Path, PathBuf};

use formats_support::{dataset, describe_corpus, original};
use pimlico_modules::formats::documents::{
    IntFormat, IntListsFormat, Tokenized, decode_int_list, decode_text,
};
use pimlico_modules::formats::grouped::{self, GroupedCorpusReader, OwnedDoc};
use pimlico_modules::formats::named_files::NamedFileCollection;
use pimlico_modules::formats::{dict, dictionary, npy, string_list};
use serde_json::{Value, json};

fn all_docs(rel: &str) -> (GroupedCorpusReader, Vec<OwnedDoc>) {
    let dir = dataset(rel);
    grouped::ready(&dir).unwrap_or_else(|e| panic!("{rel} not ready: {e}"));
    let reader = GroupedCorpusReader::open(&dir).unwrap();
    let docs: Vec<OwnedDoc> = reader.docs().collect::<Result<_, _>>().unwrap();
    assert_eq!(
        docs.len() as u64,
        reader.len().unwrap(),
        "{rel}: document count equals length"
    );
    (reader, docs)
}

const EUROPARL_NAMES: [&str; 5] = [
    "ep-01-01-15.txt",
    "ep-01-01-16.txt",
    "ep-01-01-17.txt",
    "ep-01-01-18.txt",
    "ep-01-01-31.txt",
];

#[test]
fn europarl_raw_text_corpus() {
    let (reader, docs) = all_docs("text_corpora/europarl");
    assert_eq!(reader.archives().len(), 1);
    assert_eq!(
        docs.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        EUROPARL_NAMES
    );
    assert!(docs.iter().all(|d| d.archive == "archive-0"));
    let text = decode_text(&docs[0].data, "RawTextDocumentType").unwrap();
    assert!(text.starts_with("<CHAPTER ID=1>\nResumption of the session\n"));
    assert_eq!(text.chars().count(), 142_405);
    let (_, docs2) = all_docs("text_corpora/europarl2");
    assert_eq!(docs2[0].name, "ep-02-01-14.txt");
    assert_eq!(
        decode_text(&docs2[0].data, "RawTextDocumentType")
            .unwrap()
            .chars()
            .count(),
        2781
    );
}

#[test]
fn tokenized_corpora() {
    let (_, docs) = all_docs("corpora/tokenized");
    assert_eq!(
        docs.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        EUROPARL_NAMES
    );
    let first = Tokenized::parse(&docs[0].data).unwrap().to_vec();
    assert_eq!(first.len(), 894);
    assert_eq!(
        first[0][..6],
        ["<CHAPTER", "ID=1>", "Resumption", "of", "the", "session"]
    );

    let (reader, docs) = all_docs("corpora/tokenized_longer");
    assert_eq!(docs.len(), 50);
    let archives: Vec<&str> = reader.archives().iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        archives,
        (0..10).map(|i| format!("archive-{i}")).collect::<Vec<_>>()
    );
    assert_eq!(docs.iter().filter(|d| d.archive == "archive-3").count(), 5);
}

#[test]
fn integer_list_corpora() {
    let (reader, docs) = all_docs("corpora/ids");
    let format = IntListsFormat::from_metadata(reader.metadata()).unwrap();
    assert_eq!(format.row_length_bytes, 2);
    let rows = format.decode(&docs[0].data).unwrap();
    assert_eq!(rows.len(), 894);
    assert_eq!(rows[0][..8], [500, 500, 500, 417, 361, 500, 491, 500]);

    let (reader, docs) = all_docs("corpora/ids_ubuntu");
    assert_eq!(docs.len(), 30);
    assert_eq!(docs[0].name, "31/1.tsv");
    let rows = IntListsFormat::from_metadata(reader.metadata())
        .unwrap()
        .decode(&docs[0].data)
        .unwrap();
    assert_eq!(rows.len(), 14);
    assert_eq!(rows[0], [953, 0, 1, 2]);

    let (reader, docs) = all_docs("corpora/int_lists");
    assert_eq!(
        reader
            .archives()
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["archive_00", "archive_01", "archive_02"]
    );
    assert_eq!(docs[0].name, "VLUGLWYLBD");
    let rows = IntListsFormat::from_metadata(reader.metadata())
        .unwrap()
        .decode(&docs[0].data)
        .unwrap();
    assert_eq!(
        (rows.len(), rows[0].clone()),
        (5, vec![1, 3, 4, 4, 1, 6, 2])
    );

    let (reader, docs) = all_docs("corpora/int_list");
    assert_eq!(docs[0].name, "KUZYBPNLVV");
    let list = decode_int_list(
        IntFormat::from_metadata(reader.metadata()).unwrap(),
        &docs[0].data,
    )
    .unwrap();
    assert_eq!(list[..8], [7, 6, 6, 7, 7, 2, 3, 2]);
}

#[test]
fn other_corpora_read_as_raw_documents() {
    let (_, docs) = all_docs("corpora/labels_ubuntu");
    assert_eq!(docs[0].data, b"2004-07");
    let (_, docs) = all_docs("corpora/pos");
    assert!(docs[0].data.starts_with(b"<CHAPTER\tNN\nID=1>\tIN\n"));
    for rel in ["corpora/float_list", "corpora/float_lists"] {
        let (_, docs) = all_docs(rel);
        assert_eq!(docs.len(), 15);
    }
}

#[test]
fn old_tar_corpus() {
    let (reader, docs) = all_docs("corpora/int_table");
    assert!(
        reader
            .archives()
            .iter()
            .all(|a| a.kind == grouped::ArchiveKind::Tar)
    );
    assert_eq!(
        docs[..3]
            .iter()
            .map(|d| d.name.as_str())
            .collect::<Vec<_>>(),
        ["NMWVWENEJI", "ZREZHWTHJX", "ZORCNKPBTQ"]
    );
    // Rows of 10 unsigned 8-byte ints: the first row is 6, 1, 3, 2, 10, 8, 5, 1, 1, 8.
    let ints = decode_int_list(IntFormat::default(), &docs[0].data).unwrap();
    assert_eq!(ints.len(), 100);
    assert_eq!(ints[..10], [6, 1, 3, 2, 10, 8, 5, 1, 1, 8]);
}

#[test]
fn dictionaries_from_python_2_and_3() {
    for rel in ["dictionary", "vocab", "vocab_ubuntu"] {
        dictionary::ready(&dataset(rel)).unwrap();
        let d = dictionary::read(&dataset(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(!d.is_empty(), "{rel}");
        let mut ids: Vec<u64> = d.token2id.values().copied().collect();
        ids.sort_unstable();
        assert_eq!(
            ids,
            (0..d.len() as u64).collect::<Vec<_>>(),
            "{rel}: IDs are 0..n"
        );
    }
    let d = dictionary::read(&dataset("vocab")).unwrap();
    assert_eq!(d.token2id["all"], 0);
    assert_eq!(d.token2id["consider"], 1);
    let d = dictionary::read(&dataset("vocab_ubuntu")).unwrap();
    assert_eq!(d.token2id["only"], 0);
    assert_eq!(d.token2id["ones"], 1);
}

#[test]
fn simple_datatypes() {
    string_list::ready(&dataset("demo_string_list")).unwrap();
    let list = string_list::read(&dataset("demo_string_list")).unwrap();
    assert!(!list.is_empty());
    let names = string_list::read(&dataset("europarl_filename_list")).unwrap();
    assert!(names.iter().any(|n| n.ends_with(".txt")), "{names:?}");

    let one = NamedFileCollection::new(&["text_file.txt"]).unwrap();
    for rel in ["named_files1", "named_file"] {
        one.ready(&dataset(rel)).unwrap();
        assert!(
            !one.read_text(&dataset(rel), "text_file.txt")
                .unwrap()
                .is_empty()
        );
    }
    let two = NamedFileCollection::new(&["text_file.txt", "data.bin"]).unwrap();
    two.ready(&dataset("named_files2")).unwrap();
    assert!(
        two.ready(&dataset("named_files1")).is_err(),
        "named_files1 has no data.bin"
    );
    let text_file = NamedFileCollection::text_file(None).unwrap();
    text_file.ready(&dataset("text_file")).unwrap();

    let items = dict::read(&dataset("demo_dict")).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].0.as_str(), Some("test_key"));
    assert_eq!(items[0].1.as_str(), Some("some value"));

    let vectors = npy::NpyArray::from_bytes(
        &std::fs::read(dataset("embeddings/data/vectors.npy")).unwrap(),
        &dataset("embeddings/data/vectors.npy"),
    )
    .unwrap();
    assert_eq!(vectors.shape, [14589, 10]);
    assert_eq!(
        vectors.dtype,
        npy::Dtype {
            kind: npy::Kind::Float,
            size: 4
        }
    );
    assert!(vectors.to_f64().iter().all(|v| v.is_finite()));
}

/// Every corpus fixture read by us and by the original gives the same documents.
#[test]
fn fixtures_read_the_same_as_the_original() {
    let Some(orig) = original("fixtures_read_the_same_as_the_original") else {
        return;
    };
    let corpora = [
        ("text_corpora/europarl", "RawTextDocumentType"),
        ("text_corpora/europarl2", "RawTextDocumentType"),
        ("corpora/tokenized", "TokenizedDocumentType"),
        // Ten archives of the documents in `corpora/tokenized`, whose tokens are compared
        // above; compared as text here to keep the test quick.
        ("corpora/tokenized_longer", "TextDocumentType"),
        ("corpora/ids", "IntegerListsDocumentType"),
        ("corpora/ids_ubuntu", "IntegerListsDocumentType"),
        ("corpora/int_lists", "IntegerListsDocumentType"),
        ("corpora/int_list", "IntegerListDocumentType"),
        ("corpora/labels_ubuntu", "LabelDocumentType"),
        ("corpora/pos", "RawDocumentType"),
        ("corpora/int_table", "RawDocumentType"),
    ];
    let dictionaries = ["dictionary", "vocab", "vocab_ubuntu"];
    let lists = ["demo_string_list", "europarl_filename_list"];
    let paths: Vec<(PathBuf, Option<&str>, &str)> = corpora
        .iter()
        .map(|(rel, t)| (dataset(rel), Some(*t), "corpus"))
        .chain(
            dictionaries
                .iter()
                .map(|rel| (dataset(rel), None, "dictionary")),
        )
        .chain(lists.iter().map(|rel| (dataset(rel), None, "string_list")))
        .collect();
    let requests: Vec<(&str, &Path, Option<&str>)> = paths
        .iter()
        .map(|(p, t, k)| (*k, p.as_path(), *t))
        .collect();
    // The original reads in its own process while we read here.
    let pending = orig.spawn_read_many(&requests);
    let ours: Vec<Value> = corpora
        .iter()
        .map(|(rel, t)| describe_corpus(&dataset(rel), t))
        .collect();
    let mut theirs = pending.wait_many().into_iter();
    for ((rel, _), ours) in corpora.iter().zip(ours) {
        assert_eq!(ours, theirs.next().unwrap(), "{rel}");
    }
    for rel in dictionaries {
        let theirs = theirs.next().unwrap();
        let d = dictionary::read(&dataset(rel)).unwrap();
        let tokens: Vec<Value> = d.token2id.iter().map(|(t, i)| json!([t, i])).collect();
        assert_eq!(Value::Array(tokens), theirs["token2id"], "{rel}");
        let dfs: Vec<Value> = d.dfs.iter().map(|(i, n)| json!([i, n])).collect();
        assert_eq!(Value::Array(dfs), theirs["dfs"], "{rel}");
        assert_eq!(json!(d.num_docs), theirs["num_docs"], "{rel}");
    }
    for rel in lists {
        let theirs = theirs.next().unwrap();
        assert_eq!(
            json!(string_list::read(&dataset(rel)).unwrap()),
            theirs["list"],
            "{rel}"
        );
    }
}
