//! Broken files give errors that name the file, never panics or silently wrong data.

mod formats_support;

use std::path::Path;

use formats_support::tempdir;
use pimlico_modules::formats::doctype::DocType;
use pimlico_modules::formats::error::FormatError;
use pimlico_modules::formats::grouped::{
    self, GroupedCorpusReader, GroupedCorpusWriter, WriterOptions,
};
use pimlico_modules::formats::pimarc::{PimarcEntry, PimarcReader, PimarcWriter, index_path};
use pimlico_modules::formats::ready::NotReady;
use pimlico_modules::formats::{dictionary, npy, string_list};

fn small_corpus(dir: &Path) {
    let mut w = GroupedCorpusWriter::create(
        dir,
        DocType::lookup("RawTextDocumentType").unwrap(),
        WriterOptions::default(),
    )
    .unwrap();
    for (i, text) in ["first document", "", "third \u{e9}"].iter().enumerate() {
        w.add_document("archive-0", &format!("doc{i}"), text.as_bytes(), None)
            .unwrap();
    }
    w.finish().unwrap();
}

fn read_all(dir: &Path) -> Result<Vec<String>, FormatError> {
    let reader = GroupedCorpusReader::open_unchecked(dir)?;
    reader.docs().map(|d| d.map(|d| d.name)).collect()
}

#[test]
fn truncated_archive_errors_name_the_file_at_every_cut() {
    let tmp = tempdir();
    let dir = tmp.path().join("c");
    small_corpus(&dir);
    let prc = dir.join("data/archive-0.prc");
    let full = std::fs::read(&prc).unwrap();
    let boundaries: Vec<u64> = {
        let mut r = PimarcReader::open(&prc).unwrap();
        r.index()
            .unwrap()
            .entries()
            .map(|(_, e)| e.metadata_start)
            .chain([full.len() as u64])
            .collect()
    };
    for cut in 0..full.len() {
        std::fs::write(&prc, &full[..cut]).unwrap();
        match read_all(&dir) {
            Ok(names) => {
                assert!(
                    boundaries.contains(&(cut as u64)),
                    "cut at {cut} read {names:?} without an error"
                );
                assert_eq!(
                    names.len(),
                    boundaries.iter().position(|b| *b == cut as u64).unwrap()
                );
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains("archive-0.prc"), "cut at {cut}: {msg}");
                assert!(
                    matches!(e, FormatError::Malformed { .. }),
                    "cut at {cut}: {e:?}"
                );
            }
        }
    }
}

#[test]
fn bad_indexes_are_reported_with_the_index_path() {
    let tmp = tempdir();
    let dir = tmp.path().join("c");
    small_corpus(&dir);
    let prc = dir.join("data/archive-0.prc");
    let prci = index_path(&prc);
    let good = std::fs::read_to_string(&prci).unwrap();
    for (bad, expect) in [
        ("doc0\t0\n", "three tab-separated fields"),
        ("doc0\tzero\t5\n", "is not a byte offset"),
        ("doc0\t0\t16\ndoc0\t30\t46\n", "appears twice"),
        ("doc0\t0\t16\td\n", "three tab-separated fields"),
    ] {
        std::fs::write(&prci, bad).unwrap();
        let err = PimarcReader::open(&prc).unwrap().len().unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("archive-0.prci") && msg.contains(expect),
            "{bad:?}: {msg}"
        );
    }
    // An index pointing at the wrong place is caught on random access.
    std::fs::write(&prci, good.replacen("doc1\t", "docX\t", 1)).unwrap();
    let mut r = PimarcReader::open(&prc).unwrap();
    let err = r.get("docX", &mut PimarcEntry::default()).unwrap_err();
    assert!(
        err.to_string().contains("but the file here is 'doc1'"),
        "{err}"
    );
    std::fs::remove_file(&prci).unwrap();
    let err = PimarcReader::open(&prc)
        .unwrap()
        .get("doc1", &mut PimarcEntry::default())
        .unwrap_err();
    assert!(matches!(err, FormatError::Io { .. }), "{err:?}");
    // Reading in order does not need the index.
    assert_eq!(read_all(&dir).unwrap(), ["doc0", "doc1", "doc2"]);
    // Appending does, as in the original.
    let err = PimarcWriter::append(&prc).unwrap_err();
    assert!(
        err.to_string().contains("index file doesn't exist"),
        "{err}"
    );
}

#[test]
fn bad_document_metadata_is_reported() {
    let tmp = tempdir();
    let dir = tmp.path().join("c");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("corpus_metadata"), r#"{"length": 1}"#).unwrap();
    let prc = dir.join("data/a.prc");
    // A metadata block that is JSON but has no name, then one that is not JSON.
    for block in [&br#"{"title": "x"}"#[..], &b"not json"[..]] {
        let mut bytes = vec![block.len() as u8];
        bytes.extend_from_slice(block);
        bytes.extend_from_slice(&[1, b'x']);
        std::fs::write(&prc, bytes).unwrap();
        std::fs::write(index_path(&prc), "").unwrap();
        let err = read_all(&dir).unwrap_err();
        assert!(
            err.to_string().contains("a.prc") && err.to_string().contains("\"name\""),
            "{err}"
        );
    }
}

#[test]
fn bad_corpus_metadata_makes_the_corpus_not_ready() {
    let tmp = tempdir();
    let dir = tmp.path().join("c");
    small_corpus(&dir);
    std::fs::write(dir.join("corpus_metadata"), "{\"length\": 3,").unwrap();
    match grouped::ready(&dir) {
        Err(NotReady::BadMetadata(msg)) => assert!(msg.contains("corpus_metadata"), "{msg}"),
        other => panic!("{other:?}"),
    }
    let err = GroupedCorpusReader::open(&dir).unwrap_err();
    assert!(err.to_string().contains("corpus_metadata"), "{err}");
    std::fs::write(dir.join("corpus_metadata"), "[1, 2]").unwrap();
    let err = GroupedCorpusReader::open_unchecked(&dir).unwrap_err();
    assert!(err.to_string().contains("should be a JSON object"), "{err}");
    std::fs::write(dir.join("corpus_metadata"), r#"{"gzip": false}"#).unwrap();
    assert!(matches!(grouped::ready(&dir), Err(NotReady::NoLength(_))));
    std::fs::write(dir.join("corpus_metadata"), "").unwrap();
    assert!(
        matches!(grouped::ready(&dir), Err(NotReady::NoLength(_))),
        "an empty file is no metadata"
    );
}

#[test]
fn corrupt_compressed_documents_are_reported() {
    let tmp = tempdir();
    let dir = tmp.path().join("c");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(
        dir.join("corpus_metadata"),
        r#"{"length": 1, "gzip": true}"#,
    )
    .unwrap();
    let mut w = PimarcWriter::create(dir.join("data/a.prc")).unwrap();
    w.write_file("doc.gz", None, b"\x1f\x8b not really gzip")
        .unwrap();
    w.finish().unwrap();
    let err = read_all(&dir).unwrap_err();
    assert!(
        err.to_string().contains("a.prc") && err.to_string().contains("doc.gz"),
        "{err}"
    );
}

#[test]
fn corrupt_tar_archives_are_reported() {
    let tmp = tempdir();
    let dir = tmp.path().join("c");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("corpus_metadata"), r#"{"length": 1}"#).unwrap();
    let mut header = vec![0u8; 512];
    header[..4].copy_from_slice(b"name");
    header[124..135].copy_from_slice(b"00000000005");
    header[148..156].copy_from_slice(b"0000000\0");
    std::fs::write(dir.join("data/a.tar"), &header).unwrap();
    let err = read_all(&dir).unwrap_err();
    assert!(
        err.to_string().contains("a.tar") && err.to_string().contains("checksum"),
        "{err}"
    );
}

#[test]
fn other_datatypes_report_bad_files() {
    let tmp = tempdir();
    let d = tmp.path().join("dict");
    std::fs::create_dir_all(d.join("data")).unwrap();
    let mut good = dictionary::DictionaryData::new();
    good.add_term("x");
    let bytes = good.to_pickle();
    std::fs::write(d.join("data/dictionary"), &bytes[..bytes.len() / 2]).unwrap();
    let err = dictionary::read(&d).unwrap_err();
    assert!(err.to_string().contains("data/dictionary"), "{err}");
    std::fs::write(d.join("data/dictionary"), b"\x80\x04K\x01.").unwrap();
    let err = dictionary::read(&d).unwrap_err();
    assert!(err.to_string().contains("DictionaryData"), "{err}");

    let a = tmp.path().join("array");
    std::fs::create_dir_all(a.join("data")).unwrap();
    let mut npy_bytes = npy::NpyArray::from_i64(&[1, 2, 3]).to_bytes();
    npy_bytes.truncate(npy_bytes.len() - 1);
    std::fs::write(a.join("data/array.npy"), &npy_bytes).unwrap();
    let err = npy::read(&a).unwrap_err();
    assert!(
        err.to_string().contains("array.npy") && err.to_string().contains("expected 24 bytes"),
        "{err}"
    );

    let s = tmp.path().join("list");
    std::fs::create_dir_all(s.join("data")).unwrap();
    std::fs::write(s.join("data/data"), b"ok\n\xff\xfe").unwrap();
    let err = string_list::read(&s).unwrap_err();
    assert!(
        err.to_string().contains("data/data") && err.to_string().contains("UTF-8"),
        "{err}"
    );
    assert!(matches!(
        string_list::ready(&tmp.path().join("nothing")),
        Err(NotReady::MissingDir(_))
    ));
}
