//! Module options: conversion by type, defaults, required options and unknown options.

mod common;
use common::*;
use pimlico_config::ErrorKind;
use serde_json::json;

fn pair(opts: &str) -> pimlico_config::ModuleConfig {
    let p = load(&format!(
        "{HEADER}{SRC}[p]\ntype=pair\ninput_a=src\ninput_b=src\n{opts}"
    ));
    module(&p, "p").clone()
}

#[test]
fn values_are_converted_by_type_and_defaults_fill_in() {
    let m =
        pair("name=x y\nratio=1e-1\nmode=slow\ntags=a, b,,c\nextra={\"k\": [1, 2]}\ncount=2m\n");
    assert_eq!(m.options["name"], "x y");
    assert_eq!(m.options["ratio"], 0.1);
    assert_eq!(m.options["mode"], "slow");
    assert_eq!(m.options["tags"], json!(["a", "b", "", "c"]));
    assert_eq!(m.options["extra"], json!({"k": [1, 2]}));
    assert_eq!(m.options["count"], 2_000_000);
    assert_eq!(m.options["flag"], true);
    // Options without a value (none) are left out; the order is the declaration order.
    let m = pair("flag=F\n");
    assert_eq!(
        m.options.keys().collect::<Vec<_>>(),
        ["ratio", "mode", "flag"]
    );
    assert_eq!(m.options["flag"], false);
}

#[test]
fn int_forms() {
    for (raw, value) in [
        ("1,000", 1000),
        ("1 000", 1000),
        ("5k", 5000),
        ("2M", 2_000_000),
        ("-3", -3),
        ("1_0", 10),
    ] {
        assert_eq!(
            pair(&format!("count={raw}\n")).options["count"],
            value,
            "{raw}"
        );
    }
}

#[test]
fn conversion_errors() {
    let base = format!("{HEADER}{SRC}[p]\ntype=pair\ninput_a=src\ninput_b=src\n");
    let cases = [
        (
            "count=1.5k\n",
            "error processing option value '1.5k' for count option in pair module: invalid literal for int() with base 10: '1.5000'",
        ),
        (
            "ratio=abc\n",
            "error processing option value 'abc' for ratio option in pair module: could not convert string to float: 'abc'",
        ),
        (
            "ratio=inf\n",
            "infinite and NaN values cannot be used as option values",
        ),
        (
            "mode=medium\n",
            "medium is not a valid value. Valid choices: fast, slow",
        ),
        ("extra={\n", "error parsing JSON string: "),
    ];
    for (opt, message) in cases {
        let e = error_at(&format!("{base}{opt}"), 11);
        assert_error(&e, ErrorKind::ModuleOption, message);
        assert_eq!(e.module.as_deref(), Some("p"));
    }
}

#[test]
fn unknown_options_suggest_similar_names() {
    let e = error_at(&format!("{HEADER}{SRC}[sub]\ntype=subset\nsise=1\n"), 9);
    assert_error(
        &e,
        ErrorKind::ModuleOption,
        "invalid option for subset module: 'sise'. Available options: 'size', 'offset', 'skip_invalid'",
    );
    let e = error_at(
        &format!("{HEADER}{SRC}[sub]\ntype=subset\nsize=1\nofset=2\n"),
        10,
    );
    assert_error(
        &e,
        ErrorKind::ModuleOption,
        "Available options: 'offset', 'size', 'skip_invalid'",
    );
}

#[test]
fn required_options() {
    let e = error_at(&format!("{HEADER}{SRC}[sub]\ntype=subset\n"), 7);
    assert_error(
        &e,
        ErrorKind::ModuleOption,
        "size option is required for subset module, but was not given",
    );
}

#[test]
fn booleans_follow_str_to_bool() {
    for (raw, value) in [
        ("T", true),
        ("no", false),
        ("N", false),
        ("0", false),
        ("", false),
        ("FALSE", false),
        ("yes please", true),
    ] {
        assert_eq!(
            pair(&format!("flag={raw}\n")).options["flag"],
            value,
            "{raw:?}"
        );
        assert_eq!(pimlico_config::str_to_bool(raw), value);
    }
}
