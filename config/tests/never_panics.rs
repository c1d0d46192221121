//! The loader never panics: arbitrary bytes, and arbitrary near-valid configs built from the
//! language's own pieces, either load or give an error.

mod common;

use common::{Fixture, TestTypes};
use pimlico_config::{LoadOptions, LocalConfigRequest, load_local_config, load_pipeline};
use proptest::prelude::*;

fn load_text(files: &[(&str, &[u8])], variant: &str) {
    let f = Fixture::new();
    for (name, bytes) in files {
        let path = f.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
    }
    let types = TestTypes::new();
    let result = load_pipeline(
        &f.dir.path().join("main.conf"),
        LoadOptions {
            variant,
            local: f.local(),
            resolver: &types,
        },
    );
    if let Err(e) = result {
        // Every error can be shown.
        assert!(!e.to_string().is_empty());
    }
}

/// Pieces of values: names, alternatives, lists, modvar and `%` syntax, brackets.
fn value_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("src".to_owned()),
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("sub".to_owned()),
        Just("|".to_owned()),
        Just(",".to_owned()),
        Just("{x}".to_owned()),
        Just("{y}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(".".to_owned()),
        Just("*".to_owned()),
        Just("*2".to_owned()),
        Just("$(".to_owned()),
        Just(")".to_owned()),
        Just("(".to_owned()),
        Just("\"".to_owned()),
        Just("%(home)s".to_owned()),
        Just("%(".to_owned()),
        Just("%%".to_owned()),
        Just("%".to_owned()),
        Just("altgroup(".to_owned()),
        Just("altname(".to_owned()),
        Just("map(".to_owned()),
        Just("join(".to_owned()),
        Just("len(".to_owned()),
        Just(" -> ".to_owned()),
        Just("corpus.".to_owned()),
        Just("split.corpora".to_owned()),
        Just("all".to_owned()),
        "[0-9]{1,3}",
        "[a-z]{1,4}",
        Just(" ".to_owned()),
    ]
}

fn value() -> impl Strategy<Value = String> {
    prop::collection::vec(value_piece(), 0..8).prop_map(|p| p.concat())
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("type"),
        Just("input"),
        Just("input_corpus"),
        Just("input_corpora"),
        Just("input_a"),
        Just("size"),
        Just("offset"),
        Just("skip_invalid"),
        Just("dir"),
        Just("modvar_x"),
        Just("modvar_y"),
        Just("tie_alts"),
        Just("alt_naming"),
        Just("filter"),
        Just("output"),
        Just("data_point_type"),
        Just("name"),
        Just("release"),
    ]
    .prop_map(str::to_owned)
}

fn type_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("subset"),
        Just("concat"),
        Just("store"),
        Just("split"),
        Just("pair"),
        Just("sink"),
        Just("optout"),
        Just("corpus"),
        Just("alias"),
        Just("unknown.type"),
    ]
    .prop_map(str::to_owned)
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (key(), value()).prop_map(|(k, v)| format!("{k}={v}")),
        2 => type_value().prop_map(|t| format!("type={t}")),
        2 => prop_oneof![Just("src"), Just("a"), Just("b"), Just("sub"), Just("pipeline"), Just("vars"), Just("DEFAULT")]
            .prop_map(|s| format!("[{s}]")),
        1 => value().prop_map(|v| format!("  {v}")),
        1 => value().prop_map(|v| format!("## {v}")),
        1 => value().prop_map(|v| format!("# {v}")),
        1 => (value(), line_tail()).prop_map(|(v, l)| format!("%%({v}) {l}")),
        1 => (value(), line_tail()).prop_map(|(v, l)| format!("%%variant:{v} {l}")),
        1 => line_tail().prop_map(|l| format!("%%novariant {l}")),
        1 => value().prop_map(|v| format!("%%copy {v}")),
        1 => Just("%%include inc.conf".to_owned()),
        1 => Just("%%abstract".to_owned()),
        1 => value(),
    ]
}

fn line_tail() -> impl Strategy<Value = String> {
    prop_oneof![
        (key(), value()).prop_map(|(k, v)| format!("{k}={v}")),
        Just("[extra]".to_owned()),
        value(),
    ]
}

fn config() -> impl Strategy<Value = String> {
    prop::collection::vec(line(), 0..25).prop_map(|lines| {
        format!(
            "[pipeline]\nname=p\nrelease=latest\n[src]\ntype=corpus\ndir={{x}}/a|{{y}}/b\nmodvar_x=altname(dir)\n{}\n",
            lines.join("\n")
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        load_text(&[("main.conf", &bytes)], "main");
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        load_text(&[("main.conf", text.as_bytes())], "main");
    }

    #[test]
    fn near_valid_configs_never_panic(
        main in config(),
        inc in prop::collection::vec(line(), 0..8),
        variant in prop_oneof![Just("main"), Just("x"), Just("a")],
    ) {
        let inc = inc.join("\n");
        load_text(&[("main.conf", main.as_bytes()), ("inc.conf", inc.as_bytes())], variant);
    }

    #[test]
    fn local_config_never_panics(text in "\\PC{0,200}", lines in prop::collection::vec(line(), 0..10)) {
        let dir = tempfile::tempdir().unwrap();
        for content in [text, lines.join("\n")] {
            let file = dir.path().join("lc");
            std::fs::write(&file, content).unwrap();
            let _ = load_local_config(&LocalConfigRequest {
                file: Some(file),
                overrides: vec![("store".into(), "rel".into())],
                ..Default::default()
            });
        }
    }
}
