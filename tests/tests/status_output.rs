//! The `status` listing's layout: numbered schedule under the `##` heading tree.

use pimlico_tests::Workspace;

const PIPELINE: &str = r#"[pipeline]
name=heads
release=latest

## Data
[a]
type=command
cmd=true

### Sub-data ###
[b]
type=command
input_data=a
cmd=true

## Other
[c]
type=command
cmd=true
"#;

const A: &str = " 1. a\n       type: command\n       status: UNEXECUTED\n       outputs: output\n";
const B: &str = " 2. b\n       type: command\n       status: UNEXECUTED\n       input data: not ready\n       outputs: output\n";
const C: &str = " 3. c\n       type: command\n       status: UNEXECUTED\n       outputs: output\n";
const HEAD: &str = "Available pipeline variants: main\nShowing status for 'main' variant\n\nModule execution schedule with statuses:\n";

fn status(args: &[&str]) -> String {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws.write("lc", &format!("store={}\n", ws.join("store").display()));
    let mut all = vec!["p.conf", "--lc", "lc", "status"];
    all.extend(args);
    ws.pimlico(&all).expect_code(0).stdout()
}

#[test]
fn headings_are_collapsed_by_default() {
    assert_eq!(
        status(&[]),
        format!("{HEAD}# 1. Data  -> ...\n# 2. Other  -> ...\n")
    );
}

#[test]
fn headings_expand_singly_by_subtree_or_all() {
    assert_eq!(
        status(&["-x", "1"]),
        format!("{HEAD}# 1. Data \n{A}## 1.1. Sub-data  -> ...\n# 2. Other  -> ...\n")
    );
    assert_eq!(
        status(&["-x", "1."]),
        format!("{HEAD}# 1. Data \n{A}## 1.1. Sub-data \n{B}# 2. Other  -> ...\n")
    );
    let all = format!("{HEAD}# 1. Data \n{A}## 1.1. Sub-data \n{B}# 2. Other \n{C}");
    assert_eq!(status(&["--xa"]), all);
    // A range shows its modules with every heading above them expanded.
    assert_eq!(
        status(&["2...3"]),
        format!("{HEAD}# 1. Data \n## 1.1. Sub-data \n{B}# 2. Other \n{C}")
    );
    assert_eq!(status(&["--ns"]), format!("{HEAD}{A}{B}{C}"));
}

#[test]
fn short_status_groups_modules() {
    assert_eq!(
        status(&["-s"]),
        format!("{HEAD}\nUNEXECUTED:\n1. a\n2. b\n3. c\n")
    );
}
