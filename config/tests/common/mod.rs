//! Shared test setup: real config files in a scratch directory, a real local config file, and
//! a type resolver declaring a few module types the way Pimlico's `info.py` files do.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use pimlico_config::{
    ConfigError, DatatypeExpr, ErrorKind, InputDecl, LoadOptions, LocalConfig, LocalConfigRequest,
    ModuleConfig, ModuleSignature, OptionDecl, OptionType, OutputDatatype, OutputDecl, OutputGroup,
    Pipeline, Resolution, SignatureKind, TypeResolver, load_local_config, load_pipeline,
};
use serde_json::{Value, json};

fn input(name: &str, optional: bool, multiple: bool) -> InputDecl {
    InputDecl {
        name: name.into(),
        datatype: DatatypeExpr::new("IterableCorpus"),
        optional,
        multiple,
    }
}

fn output(name: &str) -> OutputDecl {
    OutputDecl {
        name: name.into(),
        datatype: OutputDatatype::Fixed(DatatypeExpr::new("GroupedCorpus")),
    }
}

fn opt(name: &str, ty: OptionType, default: Value, required: bool) -> OptionDecl {
    OptionDecl {
        name: name.into(),
        help: String::new(),
        ty,
        default,
        required,
    }
}

fn sig(type_name: &str) -> ModuleSignature {
    ModuleSignature {
        type_name: type_name.into(),
        description: String::new(),
        inputs: vec![],
        outputs: vec![],
        optional_outputs: vec![],
        output_groups: vec![],
        options: vec![],
        executable: true,
        document_map: false,
        kind: SignatureKind::Module,
    }
}

/// Module types for tests: `subset`, `concat`, `store`, `split` as in Pimlico, plus `pair`
/// (two inputs, an optional one, typed options), `sink` (no outputs), `optout` (only optional
/// outputs) and the datatype input `corpus`/`GroupedCorpus`.
pub struct TestTypes {
    types: HashMap<String, Arc<ModuleSignature>>,
}

impl TestTypes {
    pub fn new() -> Self {
        let mut t = HashMap::new();
        let mut subset = sig("subset");
        subset.inputs = vec![input("corpus", false, false)];
        subset.outputs = vec![output("corpus")];
        subset.executable = false;
        subset.options = vec![
            opt("size", OptionType::Int, Value::Null, true),
            opt("offset", OptionType::Int, json!(0), false),
            opt("skip_invalid", OptionType::Bool, Value::Null, false),
        ];
        let mut concat = sig("concat");
        concat.inputs = vec![input("corpora", false, true)];
        concat.outputs = vec![output("corpus")];
        concat.executable = false;
        let mut store = sig("store");
        store.inputs = vec![input("corpus", false, false)];
        store.outputs = vec![output("corpus")];
        store.document_map = true;
        let mut split = sig("split");
        split.inputs = vec![input("corpus", false, false)];
        split.outputs = vec![output("set1"), output("set2"), output("doc_list1")];
        split.optional_outputs = vec![output("doc_list2")];
        split.output_groups = vec![OutputGroup {
            name: "corpora".into(),
            outputs: vec!["set1".into(), "set2".into()],
        }];
        split.options = vec![opt("set1_size", OptionType::Float, json!(0.2), false)];
        let mut pair = sig("pair");
        pair.inputs = vec![
            input("a", false, false),
            input("b", false, false),
            input("c", true, false),
        ];
        pair.outputs = vec![output("out")];
        pair.options = vec![
            opt("name", OptionType::String, Value::Null, false),
            opt("ratio", OptionType::Float, json!(0.5), false),
            opt(
                "mode",
                OptionType::Choice(vec!["fast".into(), "slow".into()]),
                json!("fast"),
                false,
            ),
            opt("tags", OptionType::CommaList, Value::Null, false),
            opt("extra", OptionType::Json, Value::Null, false),
            opt("flag", OptionType::Bool, json!(true), false),
            opt("count", OptionType::Int, Value::Null, false),
        ];
        let mut sink = sig("sink");
        sink.inputs = vec![input("corpus", false, false)];
        let mut optout = sig("optout");
        optout.inputs = vec![input("corpus", false, false)];
        optout.optional_outputs = vec![output("o1"), output("o2")];
        let mut corpus = sig("grouped_corpus_input");
        corpus.outputs = vec![OutputDecl {
            name: "data".into(),
            datatype: OutputDatatype::FromDatatypeOptions {
                name: "GroupedCorpus".into(),
            },
        }];
        corpus.options = vec![opt("dir", OptionType::String, Value::Null, true)];
        corpus.executable = false;
        corpus.kind = SignatureKind::DatatypeInput {
            datatype: "GroupedCorpus".into(),
        };
        let corpus = Arc::new(corpus);
        for s in [subset, concat, store, split, pair, sink, optout] {
            t.insert(s.type_name.clone(), Arc::new(s));
        }
        t.insert("corpus".into(), corpus.clone());
        t.insert("GroupedCorpus".into(), corpus);
        Self { types: t }
    }
}

impl TypeResolver for TestTypes {
    fn resolve(&self, type_string: &str) -> Resolution {
        match self.types.get(type_string) {
            Some(s) => Resolution::Found(s.clone()),
            None => Resolution::Unavailable(format!("no module type '{type_string}' here")),
        }
    }

    fn datatype_options(&self, datatype: &str) -> Option<Vec<OptionDecl>> {
        (datatype == "GroupedCorpus").then(|| {
            vec![opt(
                "data_point_type",
                OptionType::String,
                json!("DataPointType"),
                false,
            )]
        })
    }
}

/// A scratch directory holding config files and a local config.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Writes a file (creating directories) and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A local config from a real file, with `pimlico_root` and `home` in the scratch dir.
    pub fn local(&self) -> LocalConfig {
        let file = self.write(
            "local.conf",
            &format!(
                "store=store\npimlico_root={0}/pim\nhome={0}/home\n",
                self.dir.path().display()
            ),
        );
        load_local_config(&LocalConfigRequest {
            file: Some(file),
            ..Default::default()
        })
        .unwrap()
    }

    pub fn load_variant(&self, name: &str, variant: &str) -> Result<Pipeline, ConfigError> {
        let types = TestTypes::new();
        load_pipeline(
            &self.dir.path().join(name),
            LoadOptions {
                variant,
                local: self.local(),
                resolver: &types,
            },
        )
    }

    pub fn load(&self, name: &str) -> Result<Pipeline, ConfigError> {
        self.load_variant(name, "main")
    }

    pub fn root(&self) -> String {
        self.dir.path().display().to_string()
    }
}

/// The usual header.
pub const HEADER: &str = "[pipeline]\nname=p\nrelease=latest\n";
/// A datatype input module named `src`.
pub const SRC: &str = "[src]\ntype=corpus\ndir=/data\n";

/// Loads a config given as text (header not included).
pub fn load(text: &str) -> Pipeline {
    try_load(text).unwrap_or_else(|e| panic!("{e}"))
}

pub fn try_load(text: &str) -> Result<Pipeline, ConfigError> {
    let f = Fixture::new();
    f.write("main.conf", text);
    f.load("main.conf")
}

/// The error loading `text` gives; checks it names `main.conf` and the expected line.
pub fn error_at(text: &str, line: usize) -> ConfigError {
    let e = try_load(text).expect_err("the config should not load");
    assert!(
        e.file.as_ref().is_some_and(|f| f.ends_with("main.conf")),
        "error without the file: {e:?}"
    );
    assert_eq!(e.line, Some(line), "wrong line in: {e}");
    assert!(
        e.to_string().contains(&format!("main.conf:{line}: ")),
        "{e}"
    );
    e
}

/// Asserts the error's message contains `part` and its kind is `kind`.
pub fn assert_error(e: &ConfigError, kind: ErrorKind, part: &str) {
    assert_eq!(e.kind, kind, "{e}");
    assert!(e.message.contains(part), "expected {part:?} in: {e}");
}

/// Expanded module names in order.
pub fn names(p: &Pipeline) -> Vec<&str> {
    p.modules.iter().map(|m| m.name.as_str()).collect()
}

/// A module by name (panics if absent).
pub fn module<'p>(p: &'p Pipeline, name: &str) -> &'p ModuleConfig {
    p.module(name)
        .unwrap_or_else(|| panic!("no module {name} in {:?}", names(p)))
}

/// A module's connections on one input, as `module` or `module.output` strings.
pub fn conns(p: &Pipeline, name: &str, input: &str) -> Vec<String> {
    module(p, name).inputs[input]
        .iter()
        .map(|c| match &c.output {
            Some(o) => format!("{}.{o}", c.module),
            None => c.module.clone(),
        })
        .collect()
}
