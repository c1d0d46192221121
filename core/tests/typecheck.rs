//! The typecheck between connected modules, with the original's messages.

mod common;

use pimlico_core::datatypes::{DatatypeRegistry, typecheck_pipeline};
use serde_json::Value;

fn corpus_input(
    reg: &pimlico_core::types::TypeRegistry,
    doc_type: &str,
) -> pimlico_config::ModuleConfig {
    let mut src = common::option(
        common::module(reg, "src", "pimlico.datatypes.corpora.GroupedCorpus"),
        "dir",
        Value::String("/nonexistent".into()),
    );
    src.datatype_options
        .insert("data_point_type".into(), doc_type.into());
    src
}

#[test]
fn a_corpus_with_the_wrong_document_type_is_rejected_with_the_original_message() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = common::registry_with_test_types();
    let src = corpus_input(&reg, "RawTextDocumentType");
    let m = common::input(
        common::module(&reg, "m", "test.needs_tokens"),
        "corpus",
        "src",
        None,
    );
    let p = common::pipeline("p", vec![src, m], &[("default", tmp.path())], tmp.path());
    let err = typecheck_pipeline(&p, reg.datatypes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "failed checks: Input typechecking for module 'm' failed: type-checking error matching \
         input 'corpus' to module 'm' with output 'default' from module 'src': required type is \
         IterableCorpus<TokenizedDocumentType> (or a descendent), but provided type is \
         GroupedCorpus<RawTextDocumentType>"
    );
    let table = err.explanation.unwrap();
    assert!(table.contains("src.[default]  ->  m.corpus"), "{table}");
    assert!(
        table.contains("!> GroupedCorpus<RawTextDocumentType> <!"),
        "{table}"
    );
}

#[test]
fn descendant_datatypes_and_document_types_pass_through_derived_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = common::registry_with_test_types();
    // src provides GroupedCorpus<RawTextDocumentType>; tokenize needs <TextDocumentType> (an
    // ancestor) and provides <TokenizedDocumentType>; the view copies that; needs_tokens is
    // satisfied by a GroupedCorpus (a descendant of IterableCorpus).
    let src = corpus_input(&reg, "RawTextDocumentType");
    let tok = common::input(
        common::module(&reg, "tok", "test.tokenize"),
        "corpus",
        "src",
        None,
    );
    let view = common::input(
        common::module(&reg, "view", "test.view"),
        "corpus",
        "tok",
        None,
    );
    let m = common::input(
        common::module(&reg, "m", "test.needs_tokens"),
        "corpus",
        "view",
        None,
    );
    let p = common::pipeline(
        "p",
        vec![src, tok, view, m],
        &[("default", tmp.path())],
        tmp.path(),
    );
    typecheck_pipeline(&p, reg.datatypes()).unwrap();
}

#[test]
fn a_single_input_given_two_connections_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = common::registry_with_test_types();
    let src = corpus_input(&reg, "TokenizedDocumentType");
    let m = common::input(
        common::module(&reg, "m", "test.needs_tokens"),
        "corpus",
        "src",
        None,
    );
    let m = common::input(m, "corpus", "src", None);
    let p = common::pipeline("p", vec![src, m], &[("default", tmp.path())], tmp.path());
    let err = typecheck_pipeline(&p, reg.datatypes()).unwrap_err();
    assert!(
        err.message.contains(
            "input corpus on module 'm' does not accept multiple inputs, but 2 were given"
        ),
        "{}",
        err.message
    );
}

#[test]
fn unavailable_modules_are_not_typechecked() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = common::registry_with_test_types();
    let ext = common::unavailable("ext", "somewhere.else", &["out"]);
    let m = common::input(
        common::module(&reg, "m", "test.needs_tokens"),
        "corpus",
        "ext",
        None,
    );
    let p = common::pipeline("p", vec![ext, m], &[("default", tmp.path())], tmp.path());
    typecheck_pipeline(&p, reg.datatypes()).unwrap();
}

#[test]
fn datatype_names_resolve_and_display_like_pimlico() {
    let reg = DatatypeRegistry::standard();
    let expr = pimlico_config::DatatypeExpr::with_doc_type("GroupedCorpus", "RawTextDocumentType");
    assert_eq!(
        reg.display_name(&expr),
        "grouped_corpus<RawTextDocumentType>"
    );
    assert_eq!(
        reg.lookup("pimlico.datatypes.corpora.GroupedCorpus")
            .unwrap()
            .name,
        "GroupedCorpus"
    );
    assert_eq!(reg.lookup("string_list").unwrap().name, "StringList");
    assert!(reg.is_descendant("TextFile", "NamedFileCollection"));
    assert!(!reg.is_descendant("NamedFileCollection", "TextFile"));
    assert!(reg.is_descendant("SomethingUnknown", "PimlicoDatatype"));
    assert_eq!(
        reg.typecheck_name(&pimlico_config::DatatypeExpr::new("IterableCorpus")),
        "IterableCorpus<DataPointType>"
    );
}
