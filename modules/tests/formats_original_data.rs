//! Compatibility of dictionaries, simple datatypes and readiness with the original Pimlico,
//! run for real, both ways.

mod formats_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use formats_support::{Original, hex, numpy_python, original, run_script, tempdir};
use pimlico_modules::formats::dictionary::{self, DictionaryData};
use pimlico_modules::formats::doctype::DocType;
use pimlico_modules::formats::grouped::{self, GroupedCorpusWriter, WriterOptions};
use pimlico_modules::formats::named_files::NamedFileCollection;
use pimlico_modules::formats::pickle::PyValue;
use pimlico_modules::formats::{dict, npy, string_list};
use serde_json::{Value, json};

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn job_dir(job: &Value) -> &Path {
    Path::new(job["dir"].as_str().unwrap())
}

fn with_original(test: &str) -> Option<Original> {
    original(test)
}

/// Documents drawn from a fixed pseudo-random sequence over `vocab` words.
fn documents(n_docs: usize, vocab: usize, seed: u64) -> Vec<Vec<String>> {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    (0..n_docs)
        .map(|_| {
            let len = 1 + next() % 12;
            (0..len)
                .map(|_| {
                    // Skewed frequencies, so filters and ties have something to do.
                    let r = next() % vocab;
                    let w = r * r / vocab;
                    format!("w{w}\u{e9}")
                })
                .collect()
        })
        .collect()
}

fn build_ours(spec: &Value) -> DictionaryData {
    let mut d = DictionaryData::new();
    if let Some(sw) = spec.get("stopwords").filter(|s| !s.is_null()) {
        d.stopwords = strings(sw).into_iter().collect();
    }
    let docs: Vec<Vec<String>> = spec["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(strings)
        .collect();
    d.add_documents(&docs, spec["prune_at"].as_u64().map(|n| n as usize));
    d.filter_high_low_extremes(
        spec["threshold"].as_u64().unwrap_or(0),
        spec["max_prop"].as_f64().unwrap_or(1.0),
        spec["limit"].as_u64().map(|n| n as usize),
        true,
    );
    for t in spec
        .get("add_terms")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        d.add_term(t.as_str().unwrap());
    }
    d
}

fn dump(d: &DictionaryData) -> Value {
    json!({
        "token2id": d.token2id.iter().map(|(t, i)| json!([t, i])).collect::<Vec<_>>(),
        "dfs": d.dfs.iter().map(|(i, n)| json!([i, n])).collect::<Vec<_>>(),
        "stopwords": d.stopwords.iter().collect::<BTreeSet<_>>(),
        "num_docs": d.num_docs,
        "num_pos": d.num_pos,
        "num_nnz": d.num_nnz,
        "id2token_len": d.len(),
    })
}

#[test]
fn dictionaries_match_the_original_both_ways() {
    let Some(orig) = with_original("dictionaries_match_the_original_both_ways") else {
        return;
    };
    let tmp = tempdir();
    let specs = [
        // Thresholds and a limit: no stopwords, so the pickle must be byte-identical.
        json!({"documents": documents(3000, 6000, 1), "threshold": 2, "limit": 2500, "add_terms": ["<oov>", "w0\u{e9}"]}),
        // Exactly 2000 words: the C pickler's extra empty batch after a multiple of 1000.
        json!({"documents": (0..2000).map(|i| vec![format!("t{i}")]).collect::<Vec<_>>()}),
        // Frequent words become stopwords; initial stopwords; pruning while building.
        json!({"documents": documents(12000, 400, 2), "max_prop": 0.05, "stopwords": ["w1\u{e9}", "zzz"], "prune_at": 150}),
        json!({"documents": []}),
    ];
    let jobs: Vec<Value> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut j = s.clone();
            j["kind"] = json!("dictionary");
            j["dir"] = json!(tmp.path().join(format!("orig-{i}")).to_str().unwrap());
            j
        })
        .collect();
    orig.write(&Value::Array(jobs.clone()));
    let theirs_all = orig.read_many(
        &jobs
            .iter()
            .map(|j| ("dictionary", job_dir(j), None))
            .collect::<Vec<_>>(),
    );
    let mine: Vec<PathBuf> = (0..jobs.len())
        .map(|i| tmp.path().join(format!("ours-{i}")))
        .collect();
    for (i, (job, theirs)) in jobs.iter().zip(&theirs_all).enumerate() {
        let dir = job_dir(job);
        let read = dictionary::read(dir).unwrap();
        assert_eq!(
            &dump(&read),
            theirs,
            "spec {i}: we read the original's dictionary"
        );
        let built = build_ours(job);
        assert_eq!(
            &dump(&built),
            theirs,
            "spec {i}: building gives the original's IDs and counts"
        );
        if built.stopwords.is_empty() {
            let their_bytes = std::fs::read(dir.join("data/dictionary")).unwrap();
            assert!(
                built.to_pickle() == their_bytes,
                "spec {i}: pickle bytes differ from the original's"
            );
        }
        dictionary::write(&mine[i], &built).unwrap();
    }
    let ours_read = orig.read_many(
        &mine
            .iter()
            .map(|d| ("dictionary", d.as_path(), None))
            .collect::<Vec<_>>(),
    );
    assert_eq!(
        ours_read, theirs_all,
        "the original reads our dictionaries as its own"
    );
}
#[test]
fn simple_datatypes_both_ways() {
    let Some(orig) = with_original("simple_datatypes_both_ways") else {
        return;
    };
    let tmp = tempdir();
    let path = |name: &str| tmp.path().join(name);
    let items = ["one", "tw\u{f6}", "", "with\u{c}form feed", "last"];
    let files = json!({"a.txt": hex(b"hello"), "sub/b.bin": hex(&[0, 255, 10])});
    let jobs = json!([
        {"kind": "string_list", "dir": path("sl").to_str().unwrap(), "items": items},
        {"kind": "files", "dir": path("nf").to_str().unwrap(), "files": files},
        {"kind": "dict", "dir": path("d").to_str().unwrap(), "dict": {"k": [1, 2.5, null, true], "\u{e9}": {"n": "x"}}},
    ]);
    orig.write(&jobs);

    // Read what the original wrote, and write the same with our writers.
    let list = string_list::read(&path("sl")).unwrap();
    assert_eq!(
        list,
        ["one", "tw\u{f6}", "", "with", "form feed", "last"],
        "split like splitlines()"
    );
    string_list::write(&path("sl2"), &items).unwrap();

    let collection = NamedFileCollection::new(&["a.txt", "sub/b.bin"]).unwrap();
    collection.ready(&path("nf")).unwrap();
    assert_eq!(
        collection.read_file(&path("nf"), "sub/b.bin").unwrap(),
        [0, 255, 10]
    );
    let mut w = collection.writer(&path("nf2")).unwrap();
    w.write_file("a.txt", b"hello").unwrap();
    w.write_file("sub/b.bin", &[0, 255, 10]).unwrap();
    w.finish().unwrap();

    let ours = dict::read(&path("d")).unwrap();
    assert_eq!(ours[0].0, PyValue::Str("k".into()));
    assert_eq!(
        ours[0].1,
        PyValue::List(vec![
            PyValue::Int(1),
            PyValue::Float(2.5),
            PyValue::None,
            PyValue::Bool(true)
        ])
    );
    dict::write(&path("d2"), ours).unwrap();

    let (sl, sl2, nf2, d, d2) = (path("sl"), path("sl2"), path("nf2"), path("d"), path("d2"));
    let theirs = orig.read_many(&[
        ("string_list", &sl, None),
        ("string_list", &sl2, None),
        ("files", &nf2, Some("a.txt,sub/b.bin")),
        ("dict", &d, None),
        ("dict", &d2, None),
    ]);
    assert_eq!(json!(list), theirs[0]["list"]);
    assert_eq!(theirs[1], theirs[0], "the original reads our string list");
    assert_eq!(
        std::fs::read(sl.join("data/data")).unwrap(),
        std::fs::read(sl2.join("data/data")).unwrap()
    );
    assert_eq!(theirs[2]["files"], files, "the original reads our files");
    assert_eq!(theirs[4], theirs[3], "the original reads our dict");
    assert_eq!(
        std::fs::read(d.join("data/data")).unwrap(),
        std::fs::read(d2.join("data/data")).unwrap(),
        "Dict pickles are byte-identical"
    );
}

#[test]
fn readiness_agrees_with_the_original() {
    let Some(orig) = with_original("readiness_agrees_with_the_original") else {
        return;
    };
    let tmp = tempdir();
    let text = DocType::lookup("RawTextDocumentType").unwrap();
    let open_dir = tmp.path().join("open");
    let mut open = GroupedCorpusWriter::create(&open_dir, text, WriterOptions::default()).unwrap();
    open.add_document("a", "d", b"x", None).unwrap();
    open.flush().unwrap();

    let finished = tmp.path().join("finished");
    let mut w = GroupedCorpusWriter::create(&finished, text, WriterOptions::default()).unwrap();
    w.add_document("a", "d", b"x", None).unwrap();
    w.finish().unwrap();

    let dropped = tmp.path().join("dropped");
    let mut w = GroupedCorpusWriter::create(&dropped, text, WriterOptions::default()).unwrap();
    w.add_document("a", "d", b"x", None).unwrap();
    drop(w);

    let empty = tmp.path().join("empty");
    GroupedCorpusWriter::create(&empty, text, WriterOptions::default())
        .unwrap()
        .finish()
        .unwrap();

    let no_archives = tmp.path().join("no_archives");
    std::fs::create_dir_all(no_archives.join("data")).unwrap();
    std::fs::write(no_archives.join("corpus_metadata"), r#"{"length": 3}"#).unwrap();

    let missing = tmp.path().join("missing");
    let cases: [(&Path, bool); 6] = [
        (&open_dir, false),
        (&finished, true),
        (&dropped, false),
        (&empty, true),
        (&no_archives, false),
        (&missing, false),
    ];
    let theirs_all = orig.read_many(
        &cases
            .iter()
            .map(|(d, _)| ("ready", *d, None))
            .collect::<Vec<_>>(),
    );
    for ((dir, expected), theirs) in cases.iter().zip(theirs_all) {
        assert_eq!(
            grouped::ready(dir).is_ok(),
            *expected,
            "ours for {}",
            dir.display()
        );
        assert_eq!(
            theirs,
            json!({"ready": expected}),
            "original for {}",
            dir.display()
        );
    }
    open.finish().unwrap();
    assert_eq!(
        orig.read("ready", &open_dir, None),
        json!({"ready": true}),
        "ready once finished"
    );
}

#[test]
fn npy_files_match_numpy() {
    let Some(python) = numpy_python("npy_files_match_numpy") else {
        return;
    };
    let tmp = tempdir();
    let arrays = [
        (
            npy::NpyArray::from_i64(&[3, 0, -7]),
            json!([3, 0, -7]),
            "int64",
        ),
        (
            npy::NpyArray::from_i64(&(0..1000).collect::<Vec<_>>()),
            json!((0..1000).collect::<Vec<_>>()),
            "int64",
        ),
        (
            npy::NpyArray::from_f64(vec![0], &[]).unwrap(),
            json!([]),
            "float64",
        ),
        (
            npy::NpyArray::from_f64(vec![2, 2], &[1.5, -2.0, 0.0, 1e300]).unwrap(),
            json!([[1.5, -2.0], [0.0, 1e300]]),
            "float64",
        ),
    ];
    let mut jobs = Vec::new();
    for (i, (array, values, dtype)) in arrays.iter().enumerate() {
        let ours = tmp.path().join(format!("ours-{i}.npy"));
        std::fs::write(&ours, array.to_bytes()).unwrap();
        let theirs = tmp.path().join(format!("theirs-{i}.npy"));
        jobs.push(json!({"values": values, "dtype": dtype, "ours": ours, "theirs": theirs}));
    }
    let loaded = run_script(&python, "numpy_check.py", &Value::Array(jobs.clone()));
    for (i, (array, values, dtype)) in arrays.iter().enumerate() {
        assert_eq!(loaded[i]["loaded"], *values, "NumPy loads our array {i}");
        assert_eq!(loaded[i]["dtype"], json!(dtype));
        assert_eq!(loaded[i]["shape"], json!(array.shape));
        let theirs = std::fs::read(jobs[i]["theirs"].as_str().unwrap()).unwrap();
        assert!(
            theirs == array.to_bytes(),
            "array {i}: numpy.save wrote different bytes"
        );
        let back = npy::NpyArray::from_bytes(&theirs, Path::new("theirs.npy")).unwrap();
        assert_eq!(&back, array, "we read NumPy's array {i}");
    }
}
