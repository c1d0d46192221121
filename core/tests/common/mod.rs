//! Hand-built pipelines for the core tests (the config loader is tested in its own crate).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use pimlico_config::{
    Heading, InputConnection, LocalConfig, ModuleConfig, ModuleSignature, Origin, Pipeline,
    Resolution, StoreRoot, TypeResolver,
};
use pimlico_core::datatypes::DatatypeRegistry;
use pimlico_core::engine::Engine;
use pimlico_core::store::Stores;
use pimlico_core::types::TypeRegistry;
use serde_json::Value;

/// A registry with the standard datatypes and the built-in types.
pub fn registry() -> TypeRegistry {
    TypeRegistry::new(DatatypeRegistry::standard())
}

/// The signature the registry resolves for a type string.
pub fn signature(registry: &TypeRegistry, type_string: &str) -> Arc<ModuleSignature> {
    match registry.resolve(type_string) {
        Resolution::Found(sig) => sig,
        Resolution::Unavailable(why) => panic!("{type_string} unavailable: {why}"),
    }
}

/// A module of a resolved type, without inputs or options.
pub fn module(registry: &TypeRegistry, name: &str, type_string: &str) -> ModuleConfig {
    let sig = signature(registry, type_string);
    ModuleConfig {
        name: name.into(),
        section: name.split('[').next().unwrap_or(name).into(),
        type_string: type_string.into(),
        type_name: sig.type_name.clone(),
        signature: Some(sig.clone()),
        unavailable: None,
        inputs: IndexMap::new(),
        options: IndexMap::new(),
        raw_options: IndexMap::new(),
        datatype_options: IndexMap::new(),
        modvars: IndexMap::new(),
        outputs: sig.outputs.iter().map(|o| o.name.clone()).collect(),
        executable: sig.executable,
        filter: false,
        alt_names: IndexMap::new(),
        docstring: String::new(),
        origin: Origin {
            file: PathBuf::from("/nonexistent/test.conf"),
            line: 1,
        },
    }
}

/// A module whose type is unavailable here (as config loads it: no signature).
pub fn unavailable(name: &str, type_string: &str, outputs: &[&str]) -> ModuleConfig {
    let mut m = module(&registry(), name, "command");
    m.type_string = type_string.into();
    m.type_name = type_string.rsplit('.').next().unwrap().into();
    m.signature = None;
    m.unavailable = Some("not available in this test".into());
    m.options.clear();
    m.outputs = outputs.iter().map(|s| s.to_string()).collect();
    m
}

/// A `command` module running `cmd`.
pub fn command(registry: &TypeRegistry, name: &str, cmd: &str) -> ModuleConfig {
    option(
        module(registry, name, "command"),
        "cmd",
        Value::String(cmd.into()),
    )
}

/// Adds a connection to an input.
pub fn input(mut m: ModuleConfig, input: &str, from: &str, output: Option<&str>) -> ModuleConfig {
    m.inputs
        .entry(input.to_string())
        .or_default()
        .push(InputConnection {
            module: from.into(),
            output: output.map(str::to_string),
        });
    m
}

/// Sets an option.
pub fn option(mut m: ModuleConfig, key: &str, value: Value) -> ModuleConfig {
    m.options.insert(key.into(), value);
    m
}

/// A pipeline with the given modules and stores (`(name, root)`), configs in `config_dir`.
pub fn pipeline(
    name: &str,
    modules: Vec<ModuleConfig>,
    stores: &[(&str, &Path)],
    config_dir: &Path,
) -> Pipeline {
    let config = config_dir.join("pipeline.conf");
    if !config.exists() {
        std::fs::write(&config, "[pipeline]\nname=test\nrelease=latest\n").unwrap();
    }
    Pipeline {
        name: name.into(),
        release: "0.1.0".into(),
        variant: "main".into(),
        variants: vec![],
        pipeline_config: IndexMap::new(),
        vars: IndexMap::new(),
        headings: Heading {
            title: String::new(),
            modules: modules.iter().map(|m| m.name.clone()).collect(),
            children: vec![],
        },
        modules,
        aliases: IndexMap::new(),
        expanded: IndexMap::new(),
        files: vec![config],
        module_path: vec![],
        local: LocalConfig {
            values: IndexMap::new(),
            stores: stores
                .iter()
                .map(|(n, r)| StoreRoot {
                    name: n.to_string(),
                    root: r.to_path_buf(),
                })
                .collect(),
            files: vec![],
        },
    }
}

/// Stores of a pipeline.
pub fn stores(pipeline: &Pipeline) -> Stores {
    Stores::for_pipeline(pipeline).unwrap()
}

/// The engine view.
pub fn engine<'a>(
    pipeline: &'a Pipeline,
    registry: &'a TypeRegistry,
    stores: &'a Stores,
) -> Engine<'a> {
    Engine::new(pipeline, registry, stores)
}

/// Writes finished data for an output: `<dir>/data/<file>` and corpus metadata.
pub fn write_output(base: &Path, metadata: &str) {
    std::fs::create_dir_all(base.join("data")).unwrap();
    std::fs::write(base.join("data").join("out.txt"), "hello\n").unwrap();
    std::fs::write(base.join("corpus_metadata"), metadata).unwrap();
}

/// A signature-only resolver for test types: `test.view` (non-executable, one input, like
/// Pimlico's `subset`) and `test.corpus_store` (executable, corpus in and out).
pub struct TestTypes;

impl TypeResolver for TestTypes {
    fn resolve(&self, type_string: &str) -> Resolution {
        use pimlico_config::{DatatypeExpr, InputDecl, OutputDatatype, OutputDecl, SignatureKind};
        let any = DatatypeExpr::new("PimlicoDatatype");
        let sig = |executable: bool, input: DatatypeExpr, output: OutputDatatype| {
            Resolution::Found(Arc::new(ModuleSignature {
                type_name: type_string.rsplit('.').next().unwrap().into(),
                description: String::new(),
                inputs: vec![InputDecl {
                    name: "corpus".into(),
                    datatype: input,
                    optional: false,
                    multiple: false,
                }],
                outputs: vec![OutputDecl {
                    name: "corpus".into(),
                    datatype: output,
                }],
                optional_outputs: vec![],
                output_groups: vec![],
                options: vec![],
                executable,
                document_map: false,
                kind: SignatureKind::Module,
            }))
        };
        match type_string {
            "test.view" => sig(
                false,
                any,
                OutputDatatype::FromInput {
                    input: "corpus".into(),
                },
            ),
            "test.tokenize" => sig(
                true,
                DatatypeExpr::with_doc_type("GroupedCorpus", "TextDocumentType"),
                OutputDatatype::Fixed(DatatypeExpr::with_doc_type(
                    "GroupedCorpus",
                    "TokenizedDocumentType",
                )),
            ),
            "test.needs_tokens" => sig(
                true,
                DatatypeExpr::with_doc_type("IterableCorpus", "TokenizedDocumentType"),
                OutputDatatype::Fixed(DatatypeExpr::new("StringList")),
            ),
            _ => Resolution::Unavailable(format!("no test type {type_string}")),
        }
    }
}

/// A registry that also knows the test types.
pub fn registry_with_test_types() -> TypeRegistry {
    let mut reg = registry();
    reg.add_fallback(Box::new(TestTypes));
    reg
}

/// Keeps the events a module run emits.
#[derive(Default)]
pub struct Events(pub std::sync::Mutex<Vec<pimlico_core::exec::ChildEvent>>);

impl pimlico_core::types::EventSink for Events {
    fn emit(&self, event: pimlico_core::exec::ChildEvent) {
        self.0.lock().unwrap().push(event);
    }
}

impl Events {
    pub fn take(&self) -> Vec<pimlico_core::exec::ChildEvent> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

/// The history messages without timestamps.
pub fn history_messages(module_dir: &Path) -> Vec<String> {
    std::fs::read_to_string(module_dir.join("history"))
        .unwrap_or_default()
        .lines()
        .map(|l| l[20..].to_string())
        .collect()
}

/// The `status` in a metadata file.
pub fn metadata_status(module_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(module_dir.join("metadata")).ok()?;
    let value: Value = serde_json::from_str(&text).ok()?;
    value["status"].as_str().map(str::to_string)
}

/// Polls `condition` until it holds, failing after 20 s.
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !condition() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
