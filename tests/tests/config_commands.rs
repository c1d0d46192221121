//! The config commands: `variants`, `modules --json`, `check`.

use pimlico_tests::Workspace;

const PIPELINE: &str = r#"[pipeline]
name=cfg
release=latest

[a]
type=command
cmd=true

%%(big) [b]
%%(big) type=command
%%(big) input_data=a
%%(big) cmd=true
"#;

fn setup() -> Workspace {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws.write("lc", &format!("store={}\n", ws.join("store").display()));
    ws
}

#[test]
fn variants_are_listed() {
    let ws = setup();
    let out = ws
        .pimlico(&["p.conf", "--lc", "lc", "variants"])
        .expect_code(0);
    assert_eq!(
        out.stdout(),
        "Available pipeline variants: main, big\nSelect one using the --variant option\n"
    );
}

#[test]
fn modules_json_reports_the_loaded_variant() {
    let ws = setup();
    let out = ws
        .pimlico(&["p.conf", "--lc", "lc", "-v", "big", "modules", "--json"])
        .expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&out.stdout()).unwrap();
    assert_eq!(report["variant"], "big");
    assert_eq!(report["schedule"], serde_json::json!(["a", "b"]));
    assert_eq!(
        report["modules"]["b"]["inputs"]["data"],
        serde_json::json!([["a", null]])
    );
    let out = ws
        .pimlico(&["p.conf", "--lc", "lc", "modules"])
        .expect_code(0);
    assert_eq!(out.stdout(), "a (command)\n");
}

#[test]
fn check_reports_the_loaded_pipeline_and_unknown_variants_fail() {
    let ws = setup();
    let out = ws
        .pimlico(&["p.conf", "--lc", "lc", "-v", "big", "check"])
        .expect_code(0);
    assert_eq!(
        out.stdout(),
        "Pipeline 'cfg' (variant 'big') loaded and checked: 2 modules, 2 in the execution schedule\n"
    );
    let out = ws
        .pimlico(&["p.conf", "--lc", "lc", "-v", "nope", "check"])
        .expect_code(1);
    assert!(
        out.stderr().starts_with("Error reading pipeline config: "),
        "{}",
        out.all()
    );
    assert!(out.stderr().contains("nope"), "{}", out.all());
}

#[test]
fn datatype_options_are_checked_through_the_catalogue() {
    let ws = setup();
    ws.write(
        "d.conf",
        "[pipeline]\nname=d\nrelease=latest\n\n[src]\ntype=GroupedCorpus\ndata_point_typ=RawTextDocumentType\ndir=/nowhere\n",
    );
    let out = ws
        .pimlico(&["d.conf", "--lc", "lc", "check"])
        .expect_code(1);
    assert!(
        out.stderr()
            .starts_with("Error in module options specified in config file: "),
        "{}",
        out.all()
    );
    assert!(out.stderr().contains("'data_point_typ'"), "{}", out.all());
}
