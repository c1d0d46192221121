//! External module types: inputs, outputs, options and module variables as environment
//! variables and a JSON task file, progress and metadata lines, exit code deciding the outcome.

mod common;

use std::path::Path;
use std::sync::Arc;

use pimlico_config::{ModVarValue, Pipeline};
use pimlico_core::engine::child::{ChildOptions, EXIT_COMPLETE, EXIT_FAILED, execute_module_here};
use pimlico_core::exec::{ChildEvent, OutputStream};
use pimlico_core::types::TypeRegistry;
use serde_json::{Value, json};

const MANIFEST: &str = r#"
description = "Test type speaking the protocol"

[[inputs]]
name = "text"
datatype = "PimlicoDatatype"

[[outputs]]
name = "counts"
datatype = "NamedFileCollection"

[[options]]
name = "min_count"
type = "int"
default = 1

[[options]]
name = "label"

[dependencies]
commands = ["sh"]

[execute]
command = ["sh", "./run.sh"]
"#;

const SCRIPT: &str = r#"
out="$PIMLICO_OUTPUT_COUNTS"
env | grep '^PIMLICO_' | sort > "$out/env.txt"
cp "$PIMLICO_TASK_FILE" "$out/task.json"
cat "$PIMLICO_INPUT_TEXT/in.txt" > "$out/copy.txt"
echo "PIMLICO PROGRESS 1/2 halfway there"
echo "an ordinary line"
echo "PIMLICO METADATA counts {\"length\": 2}"
echo "PIMLICO PROGRESS 2/2"
if [ "$PIMLICO_OPT_LABEL" = "fail" ]; then
  echo "PIMLICO ERROR the label said so"
  exit 4
fi
"#;

fn setup(root: &Path, label: &str) -> (Pipeline, TypeRegistry) {
    let types = root.join("types/ex/count");
    std::fs::create_dir_all(&types).unwrap();
    std::fs::write(types.join("module.toml"), MANIFEST).unwrap();
    std::fs::write(types.join("run.sh"), SCRIPT).unwrap();
    let reg = common::registry();
    reg.set_module_path(vec![root.join("types")]);
    let src = common::command(&reg, "src", "echo some words > \"$PIMLICO_OUTPUT/in.txt\"");
    let mut m = common::input(
        common::module(&reg, "count", "ex.count"),
        "text",
        "src",
        None,
    );
    m.options.insert("min_count".into(), json!(3));
    m.options.insert("label".into(), json!(label));
    m.modvars
        .insert("lang".into(), ModVarValue::Str("en".into()));
    m.modvars.insert(
        "langs".into(),
        ModVarValue::List(vec!["en".into(), "sv".into()]),
    );
    // The type runs in the directory of the config file, where run.sh is not.
    let conf_dir = root.join("types/ex/count");
    let p = common::pipeline(
        "p",
        vec![src, m],
        &[("default", &root.join("out"))],
        &conf_dir,
    );
    (p, reg)
}

fn run(p: &Pipeline, reg: &TypeRegistry, module: &str) -> (i32, Vec<ChildEvent>) {
    let events = Arc::new(common::Events::default());
    let code = execute_module_here(p, reg, module, &ChildOptions::default(), events.clone());
    (code, events.take())
}

#[test]
fn the_program_receives_its_task_and_reports_progress_and_metadata() {
    let tmp = tempfile::tempdir().unwrap();
    let (p, reg) = setup(tmp.path(), "plain");
    assert_eq!(run(&p, &reg, "src").0, EXIT_COMPLETE);
    let (code, events) = run(&p, &reg, "count");
    assert_eq!(code, EXIT_COMPLETE, "{events:?}");

    let out = tmp.path().join("out/p/main/count/counts");
    let src_out = tmp.path().join("out/p/main/src/output");
    let env = std::fs::read_to_string(out.join("data/env.txt")).unwrap();
    for expected in [
        format!("PIMLICO_INPUT_TEXT={}", src_out.join("data").display()),
        format!("PIMLICO_INPUT_TEXT_DIR={}", src_out.display()),
        format!("PIMLICO_OUTPUT_COUNTS={}", out.join("data").display()),
        "PIMLICO_OPT_MIN_COUNT=3".to_string(),
        "PIMLICO_OPT_LABEL=plain".to_string(),
        "PIMLICO_VAR_LANG=en".to_string(),
        "PIMLICO_VAR_LANGS=[\"en\",\"sv\"]".to_string(),
        "PIMLICO_MODULE=count".to_string(),
        "PIMLICO_PIPELINE=p".to_string(),
        format!(
            "PIMLICO_TYPE_DIR={}",
            tmp.path().join("types/ex/count").display()
        ),
    ] {
        assert!(
            env.lines().any(|l| l == expected),
            "missing {expected} in\n{env}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("data/copy.txt")).unwrap(),
        "some words\n"
    );

    let task: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("data/task.json")).unwrap())
            .unwrap();
    assert_eq!(task["module"], "count");
    assert_eq!(task["options"], json!({"min_count": 3, "label": "plain"}));
    assert_eq!(task["inputs"]["text"][0]["module"], "src");
    assert_eq!(task["inputs"]["text"][0]["dir"], json!(src_out));
    assert_eq!(task["outputs"]["counts"]["datatype"], "NamedFileCollection");
    assert_eq!(task["modvars"]["langs"], json!(["en", "sv"]));

    assert!(events.contains(&ChildEvent::Progress {
        done: 1,
        total: Some(2),
        message: Some("halfway there".into())
    }));
    assert!(events.contains(&ChildEvent::Progress {
        done: 2,
        total: Some(2),
        message: None
    }));
    assert!(events.contains(&ChildEvent::Output {
        stream: OutputStream::Stdout,
        line: "an ordinary line".into()
    }));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ChildEvent::Output { line, .. } if line.starts_with("PIMLICO ")))
    );
    let metadata: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("corpus_metadata")).unwrap())
            .unwrap();
    assert_eq!(metadata, json!({"length": 2}));
}

#[test]
fn a_nonzero_exit_fails_the_module_with_the_programs_error_message() {
    let tmp = tempfile::tempdir().unwrap();
    let (p, reg) = setup(tmp.path(), "fail");
    assert_eq!(run(&p, &reg, "src").0, EXIT_COMPLETE);
    let (code, events) = run(&p, &reg, "count");
    assert_eq!(code, EXIT_FAILED);
    assert!(
        events.iter().any(
            |e| matches!(e, ChildEvent::Failed { message, .. } if message == "the label said so")
        ),
        "{events:?}"
    );
    let dir = tmp.path().join("out/p/main/count");
    assert!(
        common::history_messages(&dir)
            .contains(&"Error executing count: the label said so".to_string())
    );
    let log = std::fs::read_to_string(dir.join("error000.log")).unwrap();
    assert!(log.contains("The program exited with code 4"), "{log}");
    assert!(log.contains("an ordinary line"), "{log}");
}
