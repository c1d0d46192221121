//! External module type manifests: parsing, and errors naming file, line and field.

use std::path::Path;

use pimlico_config::{OptionType, OutputDatatype};
use pimlico_core::types::external::{find_external_type, parse_manifest_str};

const GOOD: &str = r#"
description = "Counts words"

[[inputs]]
name = "text"
datatype = "NamedFileCollection"

[[inputs]]
name = "stopwords"
datatype = "StringList"
optional = true

[[outputs]]
name = "counts"
datatype = "NamedFile"

[[outputs]]
name = "copy"
from_input = "text"

[[options]]
name = "min_count"
type = "int"
default = 2
help = "Drop rarer words"

[[options]]
name = "case"
type = "choice"
choices = ["keep", "lower"]
default = "lower"

[dependencies]
commands = ["sh", { name = "python3", version_args = ["--version"], min_version = "3.6" }]
python_modules = ["json"]
env = ["HOME"]
files = ["data/lexicon.txt"]

[execute]
command = ["python3", "./count.py", "--fast"]
"#;

fn parse(text: &str) -> Result<pimlico_core::types::external::Manifest, String> {
    parse_manifest_str(
        text,
        Path::new("/types/ex/count/module.toml"),
        Path::new("/types/ex/count"),
        "ex.count",
    )
    .map_err(|e| e.to_string())
}

#[test]
fn a_complete_manifest_gives_the_signature_dependencies_and_command() {
    let m = parse(GOOD).unwrap();
    let sig = &m.signature;
    assert_eq!(sig.type_name, "count");
    assert_eq!(sig.inputs.len(), 2);
    assert!(sig.inputs[1].optional);
    assert_eq!(
        sig.outputs[1].datatype,
        OutputDatatype::FromInput {
            input: "text".into()
        }
    );
    assert!(matches!(sig.options[0].ty, OptionType::Int));
    assert_eq!(sig.options[0].default, serde_json::json!(2));
    assert!(matches!(&sig.options[1].ty, OptionType::Choice(c) if c == &["keep", "lower"]));
    // Paths starting with ./ or ../ are relative to the type's directory.
    assert_eq!(
        m.command,
        ["python3", "/types/ex/count/./count.py", "--fast"]
    );
    assert_eq!(m.dependencies.len(), 5);
    assert!(
        m.dependencies
            .iter()
            .any(|d| d.name() == "file /types/ex/count/data/lexicon.txt")
    );
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let offset = text.find(needle).expect("needle present");
    text[..offset].matches('\n').count() + 1
}

#[test]
fn errors_name_the_file_line_and_field() {
    let unknown_field = GOOD.replace("help = \"Drop rarer words\"", "hepl = \"Drop\"");
    let err = parse(&unknown_field).unwrap_err();
    let line = line_of(&unknown_field, "hepl");
    let prefix = format!("invalid module type manifest /types/ex/count/module.toml:{line}:");
    assert!(err.starts_with(&prefix), "{err}");
    assert!(err.contains("hepl"), "{err}");

    let bad_datatype = GOOD.replace("datatype = \"StringList\"", "datatype = \"List<\"");
    let err = parse(&bad_datatype).unwrap_err();
    let line = line_of(&bad_datatype, "List<");
    let expected =
        format!("module.toml:{line}: field 'inputs.datatype': 'List<' is not a datatype");
    assert!(err.contains(&expected), "{err}");

    let bad_from = GOOD.replace("from_input = \"text\"", "from_input = \"txt\"");
    let err = parse(&bad_from).unwrap_err();
    let line = line_of(&bad_from, "\"txt\"");
    let expected = format!(":{line}: field 'outputs.from_input': no input named 'txt'");
    assert!(err.contains(&expected), "{err}");

    let bad_default = GOOD.replace("default = 2", "default = \"two\"");
    let err = parse(&bad_default).unwrap_err();
    let line = line_of(&bad_default, "\"two\"");
    assert!(
        err.contains(&format!(":{line}: field 'options.default'")),
        "{err}"
    );

    let no_execute = GOOD.split("[execute]").next().unwrap().to_string();
    let err = parse(&no_execute).unwrap_err();
    assert!(err.contains("missing field `execute`"), "{err}");

    let empty_command = GOOD.replace("[\"python3\", \"./count.py\", \"--fast\"]", "[]");
    let err = parse(&empty_command).unwrap_err();
    assert!(err.contains("field 'execute.command'"), "{err}");

    let syntax = "description = \"x\n";
    let err = parse(syntax).unwrap_err();
    assert!(err.contains("module.toml:1:"), "{err}");
}

#[test]
fn types_are_found_as_nested_or_dotted_directories_on_the_module_path() {
    let tmp = tempfile::tempdir().unwrap();
    let (first, second) = (tmp.path().join("first"), tmp.path().join("second"));
    std::fs::create_dir_all(second.join("ex.count")).unwrap();
    std::fs::write(second.join("ex.count/module.toml"), GOOD).unwrap();
    std::fs::create_dir_all(first.join("ex/count")).unwrap();
    let path = vec![first.clone(), second.clone()];
    // A directory without a manifest is not a type.
    assert_eq!(
        find_external_type(&path, "ex.count"),
        Some(second.join("ex.count"))
    );
    std::fs::write(first.join("ex/count/module.toml"), GOOD).unwrap();
    assert_eq!(
        find_external_type(&path, "ex.count"),
        Some(first.join("ex/count"))
    );
    assert_eq!(find_external_type(&path, "ex..count"), None);
    assert_eq!(find_external_type(&path, "nothing.here"), None);
}
