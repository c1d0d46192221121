//! Module specifications (numbers, ranges, base names) and status reports.

mod common;

use pimlico_config::{Heading, Pipeline};
use pimlico_core::engine::selection::{module_number_to_name, module_numbers_to_names};
use pimlico_core::report::{module_detail, pipeline_status};
use serde_json::Value;

/// src (input) ; a ; sub[x], sub[y] (expanded) ; b — under two headings.
fn pipeline(root: &std::path::Path) -> Pipeline {
    let reg = common::registry();
    let src = common::option(
        common::module(&reg, "src", "NamedFileCollection"),
        "dir",
        Value::String(root.join("in").display().to_string()),
    );
    let a = common::input(common::command(&reg, "a", "true"), "data", "src", None);
    let x = common::input(common::command(&reg, "sub[x]", "true"), "data", "a", None);
    let y = common::input(common::command(&reg, "sub[y]", "true"), "data", "a", None);
    let b = common::input(common::command(&reg, "b", "true"), "data", "sub[y]", None);
    let mut p = common::pipeline(
        "p",
        vec![src, a, x, y, b],
        &[("default", &root.join("out"))],
        root,
    );
    p.expanded
        .insert("sub".into(), vec!["sub[x]".into(), "sub[y]".into()]);
    p.headings = Heading {
        title: String::new(),
        modules: vec![],
        children: vec![
            Heading {
                title: "Data".into(),
                modules: vec!["src".into()],
                children: vec![],
            },
            Heading {
                title: "Processing".into(),
                modules: vec!["a".into()],
                children: vec![Heading {
                    title: "Subsets".into(),
                    modules: vec!["sub[x]".into(), "sub[y]".into(), "b".into()],
                    children: vec![],
                }],
            },
        ],
    };
    p
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn numbers_ranges_and_base_names_expand_over_the_schedule() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    assert_eq!(module_number_to_name(&p, "2").unwrap(), "sub[x]");
    assert_eq!(module_number_to_name(&p, "src").unwrap(), "src");
    assert_eq!(
        module_number_to_name(&p, "9").unwrap_err().to_string(),
        "invalid module number: 9. The pipeline has 4 modules"
    );
    assert_eq!(
        module_numbers_to_names(&p, &names(&["sub"])).unwrap(),
        names(&["sub[x]", "sub[y]"])
    );
    assert_eq!(
        module_numbers_to_names(&p, &names(&["1...3"])).unwrap(),
        names(&["a", "sub[x]", "sub[y]"])
    );
    assert_eq!(
        module_numbers_to_names(&p, &names(&["a", "...", "b"])).unwrap(),
        names(&["a", "sub[x]", "sub[y]", "b"])
    );
    assert_eq!(
        module_numbers_to_names(&p, &names(&["...2"])).unwrap(),
        names(&["a", "sub[x]"])
    );
    assert_eq!(
        module_numbers_to_names(&p, &names(&["3..."])).unwrap(),
        names(&["sub[y]", "b"])
    );
    assert!(module_numbers_to_names(&p, &names(&["b...a"])).is_err());
}

#[test]
fn the_status_report_numbers_the_schedule_and_the_headings() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let reg = common::registry();
    let stores = common::stores(&p);
    let engine = common::engine(&p, &reg, &stores);
    let status = pipeline_status(&engine, false).unwrap();
    let listed: Vec<(Option<usize>, &str)> = status
        .modules
        .iter()
        .map(|m| (m.number, m.name.as_str()))
        .collect();
    assert_eq!(
        listed,
        vec![
            (Some(1), "a"),
            (Some(2), "sub[x]"),
            (Some(3), "sub[y]"),
            (Some(4), "b")
        ]
    );
    assert_eq!(status.modules[0].status, "UNEXECUTED");
    assert!(!status.modules[0].inputs_ready);
    // "Data" holds only the non-executable src, so it disappears; numbers stay as loaded.
    assert_eq!(status.headings.children.len(), 1);
    assert_eq!(status.headings.children[0].number, "2");
    assert_eq!(status.headings.children[0].children[0].number, "2.1");

    let all = pipeline_status(&engine, true).unwrap();
    assert_eq!(all.modules[0].status, "not executable");
    assert_eq!(all.headings.children[0].number, "1");

    std::fs::create_dir_all(tmp.path().join("in/data")).unwrap();
    let detail = module_detail(&engine, p.module("a").unwrap(), true).unwrap();
    assert_eq!(detail.inputs[0].from_module, "src");
    assert!(detail.inputs[0].ready);
    assert_eq!(detail.inputs[0].datatype, "named_file_collection");
    assert_eq!(
        detail.inputs[0].location.as_deref(),
        Some(tmp.path().join("in").to_str().unwrap())
    );
    assert_eq!(detail.outputs[0].datatype, "base_datatype");
    assert_eq!(detail.history.as_deref(), Some(""));
    let json = serde_json::to_value(&detail).unwrap();
    assert_eq!(json["summary"]["name"], "a");
}
