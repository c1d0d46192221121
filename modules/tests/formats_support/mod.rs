//! Shared helpers of the `formats_*` tests: where the original's test datasets are, and how to
//! run the original Pimlico's Python code.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The original's test datasets (`shared/fixtures/pimlico-testdata/datasets`): from
/// `PIMLICO_TESTDATA`, else found beside an ancestor of this crate, else the shared location.
pub fn datasets() -> PathBuf {
    if let Ok(dir) = std::env::var("PIMLICO_TESTDATA") {
        return PathBuf::from(dir).join("datasets");
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    for ancestor in manifest.ancestors() {
        let candidate = ancestor.join("shared/fixtures/pimlico-testdata/datasets");
        if candidate.is_dir() {
            return candidate;
        }
    }
    let fallback = PathBuf::from("/work/shared/fixtures/pimlico-testdata/datasets");
    assert!(
        fallback.is_dir(),
        "the original's test datasets were not found: set PIMLICO_TESTDATA to the pimlico-testdata directory"
    );
    fallback
}

/// A dataset under [`datasets`].
pub fn dataset(rel: &str) -> PathBuf {
    datasets().join(rel)
}

/// The original Pimlico, runnable: its Python 3.7 interpreter and its source directory.
pub struct Original {
    python: PathBuf,
    src: PathBuf,
}

/// The original's environment, or `None` (after printing a loud notice) if it is missing.
/// With `PIMLICO_REQUIRE_ORIGINAL=1` a missing environment fails the test instead.
pub fn original(test: &str) -> Option<Original> {
    let python = PathBuf::from(
        std::env::var("PIMLICO_ORIG_PYTHON")
            .unwrap_or_else(|_| "/work/orig/venv37/bin/python".into()),
    );
    let src = PathBuf::from(
        std::env::var("PIMLICO_ORIG_SRC")
            .unwrap_or_else(|_| "/work/orig/pimlico/src/python".into()),
    );
    let present = python.exists() && src.join("pimlico").is_dir();
    if present {
        return Some(Original { python, src });
    }
    let msg = format!(
        "the original Pimlico is not available (python {}, source {}; set PIMLICO_ORIG_PYTHON and PIMLICO_ORIG_SRC)",
        python.display(),
        src.display()
    );
    if std::env::var("PIMLICO_REQUIRE_ORIGINAL").as_deref() == Ok("1") {
        panic!("{test}: {msg}, and PIMLICO_REQUIRE_ORIGINAL=1");
    }
    // Written to the real stderr, not through `eprintln!`, which the test harness captures and
    // hides for passing tests: a skipped compatibility check must be seen.
    let _ = writeln!(
        std::io::stderr().lock(),
        "\n!!!!! SKIPPED {test}: {msg}. Compatibility with the original was NOT checked. !!!!!\n"
    );
    None
}

/// A Python with NumPy, to check `.npy` files: `PIMLICO_NUMPY_PYTHON`, else the original's
/// Python if NumPy is installed there (the original's `NumpyArray` needs it, but its test
/// environment does not have it). `None`, after a loud notice, if there is none.
pub fn numpy_python(test: &str) -> Option<PathBuf> {
    let candidates = std::env::var("PIMLICO_NUMPY_PYTHON")
        .into_iter()
        .chain(std::env::var("PIMLICO_ORIG_PYTHON"))
        .chain(["/work/orig/venv37/bin/python".to_string()]);
    for python in candidates.map(PathBuf::from) {
        let ok = Command::new(&python)
            .args(["-c", "import numpy"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(python);
        }
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "\n!!!!! SKIPPED {test}: no Python with NumPy (set PIMLICO_NUMPY_PYTHON). .npy files were NOT checked against NumPy. !!!!!\n"
    );
    None
}

/// Runs a driver script under `python` with `stdin`, returning its JSON output.
pub fn run_script(python: &Path, name: &str, stdin: &Value) -> Value {
    let mut child = Command::new(python)
        .arg(script(name))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start Python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.to_string().as_bytes())
        .expect("write to Python");
    let out = child.wait_with_output().expect("run Python");
    assert!(
        out.status.success(),
        "{name} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from the driver")
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name)
}

/// A Python run in progress; its output is collected on a thread so it runs alongside ours.
pub struct Pending {
    what: String,
    handle: std::thread::JoinHandle<std::io::Result<std::process::Output>>,
}

impl Pending {
    /// Waits for a batch read and returns its results.
    pub fn wait_many(self) -> Vec<Value> {
        match self.wait() {
            Value::Array(results) => results,
            other => panic!("orig_read.py batch printed {other}"),
        }
    }

    /// Waits for the run and parses its JSON output.
    pub fn wait(self) -> Value {
        let out = self
            .handle
            .join()
            .expect("Python output thread")
            .expect("run the original's Python");
        assert!(
            out.status.success(),
            "{} failed:\n{}",
            self.what,
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{} printed no JSON ({e}): {}",
                self.what,
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }
}

impl Original {
    fn run(&self, script_name: &str, args: &[&str], stdin: Option<&str>) -> Value {
        self.spawn(script_name, args, stdin).wait()
    }

    fn spawn(&self, script_name: &str, args: &[&str], stdin: Option<&str>) -> Pending {
        let mut child = Command::new(&self.python)
            .arg(script(script_name))
            .args(args)
            .env("PYTHONPATH", &self.src)
            .env("PYTHONHASHSEED", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the original's Python");
        let mut input = child.stdin.take().expect("stdin");
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).expect("write to Python");
        }
        drop(input);
        Pending {
            what: format!("{script_name} {args:?}"),
            handle: std::thread::spawn(move || child.wait_with_output()),
        }
    }

    /// Starts reading datasets with the original, one Python process for all of them:
    /// `(kind, dir, argument)` as `orig_read.py` takes them. [`Pending::wait`] gives a list with
    /// one result per request (`{"error": ...}` for a failed read).
    pub fn spawn_read_many(&self, requests: &[(&str, &Path, Option<&str>)]) -> Pending {
        let requests: Vec<Value> = requests
            .iter()
            .map(|(kind, dir, arg)| {
                serde_json::json!([kind, dir.to_str().expect("UTF-8 path"), arg])
            })
            .collect();
        self.spawn(
            "orig_read.py",
            &["batch"],
            Some(&Value::Array(requests).to_string()),
        )
    }

    /// Reads datasets with the original (see [`Self::spawn_read_many`]).
    pub fn read_many(&self, requests: &[(&str, &Path, Option<&str>)]) -> Vec<Value> {
        self.spawn_read_many(requests).wait_many()
    }

    /// Reads one dataset with the original; a failed read fails the test.
    pub fn read(&self, kind: &str, dir: &Path, arg: Option<&str>) -> Value {
        let result = self.read_many(&[(kind, dir, arg)]).remove(0);
        assert!(
            result.get("error").is_none(),
            "the original could not read {}: {result}",
            dir.display()
        );
        result
    }

    /// Writes datasets with the original (see `tests/python/orig_write.py`).
    pub fn write(&self, jobs: &Value) -> Value {
        self.run("orig_write.py", &[], Some(&jobs.to_string()))
    }
}

/// A fresh temporary directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("create a temporary directory")
}

/// Lower-case hex of bytes (how the drivers print bytes).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

use pimlico_modules::formats::documents::{
    self, CharTokenized, Document, IntFormat, IntListsFormat, Tokenized, decode_int_list,
    decode_segmented_lines, decode_text,
};
use pimlico_modules::formats::grouped::GroupedCorpusReader;
use serde_json::json;

/// A JSON number for any stored integer (unsigned 8-byte values exceed `i64`).
pub fn int_value(v: i128) -> Value {
    match i64::try_from(v) {
        Ok(i) => Value::from(i),
        Err(_) => Value::from(u64::try_from(v).expect("stored ints fit in u64")),
    }
}

/// Describes one document the way `orig_read.py` does, decoding it as `doc_type`.
pub fn describe_doc(
    doc_type: &str,
    metadata: &serde_json::Map<String, Value>,
    raw: &[u8],
) -> Value {
    let doc = documents::decode(raw, |raw| {
        Ok(match doc_type {
            "TokenizedDocumentType" => {
                let sentences = Tokenized::parse(raw)?
                    .sentences()
                    .map(|s| Value::Array(s.map(|t| Value::String(t.to_string())).collect()))
                    .collect();
                json!({"sentences": Value::Array(sentences)})
            }
            "CharacterTokenizedDocumentType" => json!({"sentences": CharTokenized::parse(raw)?
                .to_vec()
                .into_iter()
                .map(|s| s.into_iter().map(String::from).collect::<Vec<_>>())
                .collect::<Vec<_>>()}),
            "SegmentedLinesDocumentType" => json!({"sentences": decode_segmented_lines(raw)?}),
            "IntegerListsDocumentType" => {
                let rows = IntListsFormat::from_metadata(metadata)?.decode(raw)?;
                json!({"lists": rows.iter().map(|r| r.iter().map(|v| int_value(*v)).collect::<Vec<_>>()).collect::<Vec<_>>()})
            }
            "IntegerListDocumentType" => {
                let list = decode_int_list(IntFormat::from_metadata(metadata)?, raw)?;
                json!({"list": list.iter().map(|v| int_value(*v)).collect::<Vec<_>>()})
            }
            "TextDocumentType" | "RawTextDocumentType" | "LabelDocumentType" => {
                json!({"text": decode_text(raw, "TextDocumentType")?})
            }
            "RawDocumentType" => json!({"raw": hex(raw)}),
            other => panic!("no description for {other}"),
        })
    })
    .unwrap_or_else(|e| panic!("decoding a {doc_type} document: {e}"));
    match doc {
        Document::Valid(v) => v,
        Document::Invalid(inv) => json!({"invalid": [inv.module_name, inv.error_info]}),
    }
}

/// Reads a corpus with our reader and describes it as `orig_read.py corpus` does.
pub fn describe_corpus(dir: &Path, doc_type: &str) -> Value {
    let reader =
        GroupedCorpusReader::open(dir).unwrap_or_else(|e| panic!("open {}: {e}", dir.display()));
    let mut docs = Vec::new();
    let mut it = reader.docs();
    while let Some(doc) = it
        .next_doc()
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
    {
        docs.push(json!([
            doc.archive,
            doc.name,
            describe_doc(doc_type, reader.metadata(), doc.data)
        ]));
    }
    json!({
        "length": reader.len().expect("length"),
        "metadata": Value::Object(reader.metadata().clone()),
        "docs": docs,
    })
}
