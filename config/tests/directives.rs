//! `%%include`, `%%copy`, variants, `%%abstract`, and malformed directives.

mod common;
use common::*;
use pimlico_config::ErrorKind;

const VARIANTS: &str = "[pipeline]\nname=v\nrelease=latest\n[src]\ntype=corpus\ndir=d\n\
%%(small) [small_data]\n%%(small) type=subset\n%%(small) size=10\n\n[sub]\ntype=subset\n\
%%(small) input=small_data\n%%(main) input=src\n%%variant:main,other size=52\n\
%%variant:small size=7\n%%novariant offset=1\n%%( tiny ) offset=2\n";

#[test]
fn variants_select_lines() {
    let f = Fixture::new();
    f.write("main.conf", VARIANTS);
    let main = f.load("main.conf").unwrap();
    assert_eq!(main.variants, ["other", "small", "tiny"]);
    assert_eq!(names(&main), ["src", "sub"]);
    assert_eq!(module(&main, "sub").options["size"], 52);
    assert_eq!(module(&main, "sub").options["offset"], 1);
    let small = f.load_variant("main.conf", "small").unwrap();
    assert_eq!(names(&small), ["src", "small_data", "sub"]);
    assert_eq!(conns(&small, "sub", "corpus"), ["small_data"]);
    assert_eq!(module(&small, "sub").options["size"], 7);
    let other = f.load_variant("main.conf", "other").unwrap();
    assert_eq!(module(&other, "sub").options["offset"], 0);
    let e = f.load_variant("main.conf", "tiny").unwrap_err();
    assert_error(
        &e,
        ErrorKind::ModuleOption,
        "size option is required for subset module, but was not given",
    );
    let e = f.load_variant("main.conf", "nope").unwrap_err();
    assert_error(
        &e,
        ErrorKind::Parse,
        "could not load pipeline variant 'nope': it is not declared anywhere in the config file",
    );
}

#[test]
fn variant_names_are_lowercased_in_the_long_form_only() {
    let p = load(&format!("{HEADER}%%variant:Big x=1\n%%(Small) y=2\n"));
    assert_eq!(p.variants, ["Small", "big"]);
}

#[test]
fn two_spaces_after_a_variant_make_a_continuation_line() {
    let p = load(&format!(
        "{HEADER}{SRC}[sub]\ntype=subset\nsize=5\n%%variant:main  0\n"
    ));
    assert_eq!(module(&p, "sub").options["size"], 50);
}

#[test]
fn excluded_section_header_leaves_lines_in_the_previous_section() {
    let p = load(&format!(
        "{HEADER}{SRC}%%(v) [extra]\ndata_point_type=Tok\n"
    ));
    assert_eq!(module(&p, "src").datatype_options["data_point_type"], "Tok");
}

#[test]
fn bad_directives() {
    let e = error_at(&format!("{HEADER}%%nope x\n"), 4);
    assert_error(
        &e,
        ErrorKind::Parse,
        "unknown directive 'nope' used in config file",
    );
    let e = error_at(&format!("{HEADER}%%variant x=1\n"), 4);
    assert_error(
        &e,
        ErrorKind::Parse,
        "variant directive must specify a variant name, as 'variant:<name>'",
    );
    let e = error_at(&format!("{HEADER}%% \n"), 4);
    assert_error(&e, ErrorKind::Parse, "invalid directive line: %% ");
    // Pimlico crashed on these two.
    let e = error_at(&format!("{HEADER}%%(small)\n"), 4);
    assert_error(
        &e,
        ErrorKind::Parse,
        "unmatched bracket in bracket notation for variant directive",
    );
    let e = error_at(&format!("{HEADER}%%\n"), 4);
    assert_error(&e, ErrorKind::Parse, "empty directive '%%'");
    // Directives do not nest: the inner one is a plain (bad) config line.
    let f = Fixture::new();
    f.write("main.conf", &format!("{HEADER}%%(a) %%include nothing\n"));
    assert_eq!(f.load("main.conf").unwrap().variants, ["a"]);
    let e = f.load_variant("main.conf", "a").unwrap_err();
    assert_error(&e, ErrorKind::Parse, "[line  4]: '%%include nothing'");
}

#[test]
fn includes_go_after_the_section_they_appear_in() {
    let f = Fixture::new();
    f.write(
        "inc/a.conf",
        "%%abstract\n[ia]\ntype=subset\ninput=src\nsize=1\n%%include b.conf\n",
    );
    f.write(
        "inc/b.conf",
        "[ib]\ntype=subset\ninput=src\nsize=2\n%%variant:x offset=3\n",
    );
    f.write("inc/c.conf", "[ic]\ntype=subset\ninput=src\nsize=3\n");
    f.write(
        "main.conf",
        &format!(
            "{HEADER}{SRC}%%include inc/c.conf\n%%include inc/a.conf\n[last]\ntype=subset\nsize=4\n"
        ),
    );
    let p = f.load("main.conf").unwrap();
    // Each include is inserted right after [src], so the later one comes first.
    assert_eq!(names(&p), ["src", "ia", "ib", "ic", "last"]);
    assert_eq!(p.variants, ["x"]);
    assert_eq!(p.files.len(), 4);
    assert!(p.files[0].ends_with("main.conf"));
    let x = f.load_variant("main.conf", "x").unwrap();
    assert_eq!(module(&x, "ib").options["offset"], 3);
    assert_eq!(module(&x, "ib").origin.line, 1);
    assert!(module(&x, "ib").origin.file.ends_with("inc/b.conf"));
}

#[test]
fn include_errors() {
    let f = Fixture::new();
    f.write(
        "main.conf",
        &format!("{HEADER}{SRC}%%include missing.conf\n"),
    );
    let e = f.load("main.conf").unwrap_err();
    assert_error(
        &e,
        ErrorKind::Parse,
        "could not find included config file 'missing.conf': [Errno 2] No such file or directory",
    );
    assert_eq!(e.line, Some(7));

    f.write("self.conf", &format!("{HEADER}{SRC}%%include self.conf\n"));
    let e = f.load("self.conf").unwrap_err();
    assert_error(&e, ErrorKind::Parse, "includes itself");

    f.write("inc.conf", "[src]\ntype=corpus\ndir=x\n");
    f.write("dup.conf", &format!("{HEADER}{SRC}%%include inc.conf\n"));
    let e = f.load("dup.conf").unwrap_err();
    assert_error(&e, ErrorKind::Structure, "section 'src' defined in");
    assert!(
        e.message
            .ends_with("has already be defined in an including config file")
    );

    f.write("early.conf", &format!("%%include inc.conf\n{HEADER}"));
    let e = f.load("early.conf").unwrap_err();
    assert_error(&e, ErrorKind::Parse, "comes before any section");
    assert_eq!(e.line, Some(1));

    f.write("bad.conf", "[x\n");
    f.write("nested.conf", &format!("{HEADER}{SRC}%%include bad.conf\n"));
    let e = f.load("nested.conf").unwrap_err();
    assert!(e.file.as_ref().unwrap().ends_with("bad.conf"), "{e}");
    assert_eq!(e.line, Some(1));
}

#[test]
fn abstract_files_cannot_be_loaded_directly() {
    let e = try_load(&format!("%%abstract\n{HEADER}")).unwrap_err();
    assert_error(
        &e,
        ErrorKind::Parse,
        "is abstract: it shouldn't be run itself, but included in another config file",
    );
}

#[test]
fn copies_apply_in_order_with_exclusions() {
    let p = load(&format!(
        "{HEADER}{SRC}[a]\ntype=subset\nsize=3\noffset=4\n[b]\n%%copy a offset\nsize=5\n[c]\n%%copy b\n%%copy a\ninput:src\n"
    ));
    assert_eq!(module(&p, "b").options["size"], 5);
    assert_eq!(module(&p, "b").options["offset"], 0);
    assert_eq!(module(&p, "c").options["offset"], 4);
    assert_eq!(conns(&p, "c", "corpus"), ["src"]);
}

#[test]
fn copy_errors() {
    let e = error_at(&format!("{HEADER}{SRC}[b]\n%%copy nope\n"), 8);
    assert_error(
        &e,
        ErrorKind::Parse,
        "copy directive in [b] referred to unknown module 'nope'",
    );
    let e = error_at(&format!("{HEADER}{SRC}[b]\n%%copy src size\n"), 8);
    assert_error(
        &e,
        ErrorKind::Parse,
        "copy directive exception referred to parameter that wasn't in the source section: size",
    );
    let e = error_at(&format!("%%copy src\n{HEADER}"), 1);
    assert_error(&e, ErrorKind::Parse, "%%copy must be used inside a section");
    let e = error_at(&format!("[vars]\n%%copy pipeline\n{HEADER}"), 2);
    assert_error(
        &e,
        ErrorKind::Parse,
        "copy directive in [vars] cannot be used there",
    );
}
