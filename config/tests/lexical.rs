//! The configparser rules: delimiters, key case, comments, continuations, `[DEFAULT]`,
//! duplicates and malformed lines, each error naming the file and line.

mod common;
use common::*;
use pimlico_config::ErrorKind;

#[test]
fn both_delimiters_and_lowercased_keys() {
    // The first `=` or `:` delimits: `Offset=a=b` sets `offset` to `a=b`.
    let e = error_at(
        &format!("{HEADER}{SRC}[sub]\ntype=subset\nSIZE : 3\nOffset=a=b\n"),
        10,
    );
    assert_error(
        &e,
        ErrorKind::ModuleOption,
        "error processing option value 'a=b' for offset",
    );
}

#[test]
fn keys_are_lowercased_and_values_stripped() {
    let p = load(&format!(
        "{HEADER}{SRC}[sub]\nTYPE=subset\nSize  :   3   \n"
    ));
    assert_eq!(module(&p, "sub").options["size"], 3);
    // An indented line continues the previous value.
    let p = load(&format!("{HEADER}{SRC}[sub]\ntype=subset\n  size=3\n"));
    assert_eq!(module(&p, "sub").type_string, "subsetsize=3");
    assert!(module(&p, "sub").unavailable.is_some());
    assert_eq!(
        module(
            &load(&format!("{HEADER}{SRC}[s]\ntype=sub\n  set\nsize=1\n")),
            "s"
        )
        .type_name,
        "subset"
    );
}

#[test]
fn section_names_are_case_sensitive() {
    let p = load(&format!(
        "{HEADER}{SRC}[Sub]\ntype=subset\nsize=1\n[sub]\ntype=subset\nsize=2\n"
    ));
    assert_eq!(names(&p), ["src", "Sub", "sub"]);
    assert_eq!(conns(&p, "sub", "corpus"), ["Sub"]);
}

#[test]
fn whole_line_comments_only() {
    let p = load(&format!(
        "{HEADER}{SRC}[sub]\ntype=subset\n; comment\n   # indented comment\nsize=4\nskip_invalid=no # not a comment\n"
    ));
    // `no # not a comment` is not one of the false values, so it is true.
    assert_eq!(module(&p, "sub").options["skip_invalid"], true);
    assert_eq!(module(&p, "sub").options["size"], 4);
}

#[test]
fn continuation_lines_are_joined_without_separator() {
    let p = load(&format!(
        "{HEADER}desc=a\n  b\n\n  # comment inside\n  c\n{SRC}[sub]\ntype=subset\nsize=1\n  0\n"
    ));
    assert_eq!(p.pipeline_config["desc"], "abc");
    assert_eq!(module(&p, "sub").options["size"], 10);
}

#[test]
fn default_section_values_reach_every_section() {
    let p = load(&format!(
        "[DEFAULT]\nmodvar_lang=\"en\"\n{HEADER}{SRC}[sub]\ntype=subset\nsize=1\n"
    ));
    assert_eq!(p.pipeline_config["modvar_lang"], "\"en\"");
    for m in &p.modules {
        assert_eq!(
            m.modvars["lang"],
            pimlico_config::ModVarValue::Str("en".into())
        );
    }
}

#[test]
fn default_values_are_datatype_options_of_input_modules() {
    let e = error_at(&format!("[DEFAULT]\nsize=9\n{HEADER}{SRC}"), 2);
    assert_error(
        &e,
        ErrorKind::ModuleOption,
        "invalid option for grouped_corpus dataset loader module: 'size'. Available options: 'data_point_type'",
    );
}

#[test]
fn duplicate_option_and_section() {
    let e = error_at(
        &format!("{HEADER}{SRC}[sub]\ntype=subset\nsize=1\nSize=2\n"),
        10,
    );
    assert_error(
        &e,
        ErrorKind::Parse,
        "[line 10]: option 'size' in section 'sub' already exists",
    );
    let e = error_at(&format!("{HEADER}{SRC}[src]\ntype=x\n"), 7);
    assert_error(
        &e,
        ErrorKind::Parse,
        "[line  7]: section 'src' already exists",
    );
}

#[test]
fn text_before_any_section() {
    let e = error_at(&format!("x=1\n{HEADER}"), 1);
    assert_error(&e, ErrorKind::Parse, "File contains no section headers.");
}

#[test]
fn lines_without_delimiter_are_all_listed() {
    let e = error_at(&format!("{HEADER}justword\nanother\n"), 4);
    assert_error(&e, ErrorKind::Parse, "Source contains parsing errors: ");
    assert!(
        e.message
            .ends_with("\n\t[line  4]: 'justword\\n'\n\t[line  5]: 'another'"),
        "{e}"
    );
    assert!(e.message.starts_with("could not parse config file "), "{e}");
}

#[test]
fn windows_line_endings_and_byte_order_mark() {
    let text = format!("\u{feff}{HEADER}{SRC}[sub]\ntype=subset\nsize=1\n").replace('\n', "\r\n");
    let p = load(&text);
    assert_eq!(names(&p), ["src", "sub"]);
}

#[test]
fn invalid_utf8_is_a_clear_error() {
    let f = Fixture::new();
    let path = f.dir.path().join("main.conf");
    std::fs::write(&path, b"[pipeline]\nname=\xff\n").unwrap();
    let e = f.load("main.conf").unwrap_err();
    assert_error(&e, ErrorKind::Parse, "is not valid UTF-8");
}

#[test]
fn missing_top_level_file() {
    let f = Fixture::new();
    let e = f.load("nope.conf").unwrap_err();
    assert_error(&e, ErrorKind::Parse, "could not read config file");
    assert!(e.message.contains("No such file or directory"), "{e}");
}

#[test]
fn configparser_messages_count_lines_as_pimlico_did() {
    // The directive line is not given to configparser, so the duplicate on line 8 of the file
    // is its line 7; the location prefix gives the real line.
    let e = error_at(&format!("{HEADER}%%(v) [x]\n{SRC}[src]\n"), 8);
    assert_error(
        &e,
        ErrorKind::Parse,
        "[line  7]: section 'src' already exists",
    );
}
