//! `##` headings and section docstrings.

mod common;
use common::*;

#[test]
fn heading_tree_and_docstrings() {
    let p = load(
        "[pipeline]\nname=heads\nrelease=latest\n\n## Data\n# Comment A about src\n# second line\n[src]\ntype=corpus\ndir=d\n\n\
         ### Sub-data ###\n# doc for a\n\n[a]\ntype=subset\nsize=1|2\n\n#### Too deep jump\n## Processing\n# doc for b\n[b]\ntype=store\ninput=a[1]\n\
         [al]\ntype=alias\ninput=b\n",
    );
    assert_eq!(
        module(&p, "src").docstring,
        "Data\nComment A about src\nsecond line"
    );
    assert_eq!(module(&p, "a[1]").docstring, "");
    assert_eq!(
        module(&p, "b").docstring,
        "Too deep jump\nProcessing\ndoc for b"
    );
    let root = &p.headings;
    assert_eq!(root.title, "");
    assert!(root.modules.is_empty());
    let titles: Vec<&str> = root.children.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(titles, ["Data", "Processing"]);
    let data = &root.children[0];
    assert_eq!(data.modules, ["src"]);
    assert_eq!(data.children[0].title, "Sub-data");
    assert_eq!(data.children[0].modules, ["a[1]", "a[2]"]);
    // The jump from ### to #### is allowed; aliases are not modules.
    assert_eq!(data.children[0].children[0].title, "Too deep jump");
    assert_eq!(root.children[1].modules, ["b"]);
}

#[test]
fn headings_jumping_down_two_levels_are_ignored() {
    let p = load(&format!("{HEADER}## A\n#### Skipped\n{SRC}"));
    assert_eq!(p.headings.children.len(), 1);
    assert!(p.headings.children[0].children.is_empty());
    assert_eq!(p.headings.children[0].modules, ["src"]);
    assert_eq!(module(&p, "src").docstring, "A\nSkipped");
}

#[test]
fn included_files_continue_the_tree() {
    let f = Fixture::new();
    f.write("inc.conf", "### Included\n[i]\ntype=subset\nsize=1\n");
    f.write(
        "main.conf",
        &format!("{HEADER}## Top\n{SRC}%%include inc.conf\n[after]\ntype=subset\nsize=1\n"),
    );
    let p = f.load("main.conf").unwrap();
    let top = &p.headings.children[0];
    assert_eq!(top.title, "Top");
    // Sections after the include stay under the heading the including file was in.
    assert_eq!(top.modules, ["src", "after"]);
    assert_eq!(top.children[0].title, "Included");
    assert_eq!(top.children[0].modules, ["i"]);
}
