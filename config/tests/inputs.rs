//! Input specifications, default inputs, outputs, filters and unavailable module types.

mod common;
use common::*;
use pimlico_config::ErrorKind;

#[test]
fn default_input_is_the_previous_section() {
    let p = load(&format!(
        "{HEADER}{SRC}[al]\ntype=alias\ninput=src\n[a]\ntype=subset\nsize=1\n[pair]\ntype=pair\n"
    ));
    assert_eq!(conns(&p, "a", "corpus"), ["src"]);
    // Every missing required input gets the default; optional ones do not.
    assert_eq!(conns(&p, "pair", "a"), ["a"]);
    assert_eq!(conns(&p, "pair", "b"), ["a"]);
    assert!(!module(&p, "pair").inputs.contains_key("c"));
    let e = error_at(&format!("{HEADER}[a]\ntype=subset\nsize=1\n"), 4);
    assert_error(
        &e,
        ErrorKind::Structure,
        "module 'a' has no input specified, but there's no previous module to use as default",
    );
}

#[test]
fn input_names_must_be_declared() {
    let e = error_at(
        &format!("{HEADER}{SRC}[a]\ntype=subset\ninput_foo=src\nsize=1\n"),
        9,
    );
    assert_error(
        &e,
        ErrorKind::Structure,
        "error loading module metadata for module 'a': subset module a got unknown input 'foo'. Available inputs: corpus",
    );
    let e = error_at(&format!("{HEADER}{SRC}[p]\ntype=pair\ninput=src\n"), 9);
    assert_error(
        &e,
        ErrorKind::Structure,
        "plain 'input' option was given to pair module p, but pair modules have 2 inputs. Use 'input_<input_name>' instead",
    );
    let p = load(&format!(
        "{HEADER}{SRC}[p]\ntype=pair\ninput_a=src\ninput_b=src\ninput_c=src.data\n"
    ));
    assert_eq!(
        module(&p, "p").inputs.keys().collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    assert_eq!(conns(&p, "p", "c"), ["src.data"]);
}

#[test]
fn referenced_modules_must_come_earlier() {
    let e = error_at(
        &format!(
            "{HEADER}{SRC}[a]\ntype=subset\ninput=later\nsize=1\n[later]\ntype=subset\nsize=1\n"
        ),
        9,
    );
    assert_error(
        &e,
        ErrorKind::Structure,
        "unknown module 'later' in inputs to 'a'",
    );
    // An alias to a module defined further down is no help either.
    let e = error_at(
        &format!(
            "{HEADER}{SRC}[al]\ntype=alias\ninput=later\n[a]\ntype=subset\ninput=al\nsize=1\n[later]\ntype=subset\nsize=1\n"
        ),
        12,
    );
    assert_error(
        &e,
        ErrorKind::Structure,
        "unknown module 'al' in inputs to 'a'",
    );
}

#[test]
fn outputs_and_multiplicity_are_checked() {
    let e = error_at(
        &format!("{HEADER}{SRC}[a]\ntype=subset\ninput=src.nope\nsize=1\n"),
        9,
    );
    assert_error(
        &e,
        ErrorKind::Structure,
        "failed checks: Input typechecking for module 'a' failed: grouped_corpus_input module does not have an output named 'nope'. Available outputs: data",
    );
    let e = error_at(
        &format!("{HEADER}{SRC}[a]\ntype=subset\ninput=src,src\nsize=1\n"),
        9,
    );
    assert_error(
        &e,
        ErrorKind::Structure,
        "input corpus on module 'a' does not accept multiple inputs, but 2 were given",
    );
    let e = error_at(
        &format!("{HEADER}{SRC}[s]\ntype=sink\n[a]\ntype=subset\nsize=1\n"),
        9,
    );
    assert_error(
        &e,
        ErrorKind::Structure,
        "sink module has no default output",
    );
}

#[test]
fn stars_groups_and_multipliers() {
    let p = load(&format!(
        "{HEADER}{SRC}[split]\ntype=split\n[c1]\ntype=concat\ninput_corpora=split.*\n\
         [c2]\ntype=concat\ninput_corpora=split.corpora, src.all\n[c3]\ntype=concat\ninput_corpora=src*3,split.set1*0\n"
    ));
    assert_eq!(
        conns(&p, "c1", "corpora"),
        ["split.set1", "split.set2", "split.doc_list1"]
    );
    assert_eq!(
        conns(&p, "c2", "corpora"),
        ["split.set1", "split.set2", "src.data"]
    );
    assert_eq!(conns(&p, "c3", "corpora"), ["src", "src", "src"]);
    let e = error_at(
        &format!("{HEADER}{SRC}[c]\ntype=concat\ninput_corpora=src*x\n"),
        9,
    );
    assert_error(
        &e,
        ErrorKind::Parse,
        "input multiplier must be an integer value after variable expansion. Got 'x' in input 'corpora' to module 'c'",
    );
    let e = error_at(
        &format!("{HEADER}{SRC}[c]\ntype=concat\ninput_corpora=src*1000000\n"),
        9,
    );
    assert_error(&e, ErrorKind::Parse, "more than 100000 connections");
}

#[test]
fn optional_outputs_switched_on_by_output_or_by_use() {
    let base = format!("{HEADER}{SRC}[split]\ntype=split\n");
    let p = load(&format!("{base}output=doc_list2\n"));
    assert_eq!(
        module(&p, "split").outputs,
        ["set1", "set2", "doc_list1", "doc_list2"]
    );
    let p = load(&base);
    assert_eq!(module(&p, "split").outputs, ["set1", "set2", "doc_list1"]);
    let p = load(&format!(
        "{base}[c]\ntype=concat\ninput_corpora=split.doc_list2\n"
    ));
    assert!(
        module(&p, "split")
            .outputs
            .contains(&"doc_list2".to_owned())
    );
    // Also inside a list (Pimlico only looked at whole values).
    let p = load(&format!(
        "{base}[c]\ntype=concat\ninput_corpora=src,split.doc_list2\n"
    ));
    assert_eq!(conns(&p, "c", "corpora"), ["src", "split.doc_list2"]);
    let e = error_at(&format!("{base}output=nope\n"), 9);
    assert_error(
        &e,
        ErrorKind::Structure,
        "output 'nope' given in the 'output' option is not an output of split modules",
    );
    // The default output of a module with only optional outputs is switched on by naming
    // the module, but not by a default connection (as in Pimlico).
    let p = load(&format!(
        "{HEADER}{SRC}[o]\ntype=optout\n[a]\ntype=subset\nsize=1\ninput=o\n"
    ));
    assert_eq!(module(&p, "o").outputs, ["o1"]);
    let e = error_at(
        &format!("{HEADER}{SRC}[o]\ntype=optout\n[a]\ntype=subset\nsize=1\n"),
        9,
    );
    assert_error(
        &e,
        ErrorKind::Structure,
        "optout module does not have an output named 'o1'. Available outputs: ",
    );
    let e = error_at(
        &format!(
            "{HEADER}{SRC}[o]\ntype=optout\n[a]\ntype=subset\nsize=1\ninput=o.o2\n[b]\ntype=subset\nsize=1\ninput=o.o1,o.o2\n"
        ),
        16,
    );
    assert_error(&e, ErrorKind::Structure, "does not accept multiple inputs");
}

#[test]
fn filters_are_document_map_modules_that_do_not_run() {
    let p = load(&format!(
        "{HEADER}{SRC}[f]\ntype=store\nfilter=T\n[st]\ntype=store\n"
    ));
    let f = module(&p, "f");
    assert_eq!(f.type_name, "store_filter");
    assert!(f.filter && !f.executable && f.options.is_empty());
    assert_eq!(
        p.schedule().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["st"]
    );
    let p = load(&format!("{HEADER}{SRC}[f]\ntype=store\nfilter=no\n"));
    assert!(module(&p, "f").executable);
    let e = error_at(
        &format!("{HEADER}{SRC}[f]\ntype=subset\nsize=1\nfilter=T\n"),
        7,
    );
    assert_error(
        &e,
        ErrorKind::Structure,
        "only document map module types can be treated as filters. Got option filter=True for module f",
    );
}

#[test]
fn unavailable_types_still_load() {
    let p = load(&format!(
        "{HEADER}{SRC}[x]\ntype=some.external.tool\ninput_text=src.data\ninput=src\nwhatever=1|2\nmodvar_v=\"q\"\n\
         [y]\ntype=subset\nsize=1\ninput=x[1].out\n[z]\ntype=other.filter_me\nfilter=T\n[w]\ntype=concat\ninput_corpora=*x\n"
    ));
    assert_eq!(names(&p), ["src", "x[1]", "x[2]", "y", "z", "w"]);
    let x = module(&p, "x[2]");
    assert_eq!(x.type_name, "tool");
    assert!(
        x.unavailable
            .as_ref()
            .unwrap()
            .contains("some.external.tool")
    );
    assert!(x.signature.is_none() && x.executable && x.options.is_empty());
    assert_eq!(x.raw_options["whatever"], "2");
    assert_eq!(x.raw_options["modvar_v"], "\"q\"");
    assert_eq!(conns(&p, "x[1]", "text"), ["src.data"]);
    assert_eq!(conns(&p, "x[1]", "input"), ["src"]);
    assert_eq!(conns(&p, "y", "corpus"), ["x[1].out"]);
    let z = module(&p, "z");
    assert_eq!(z.type_name, "filter_me_filter");
    assert!(!z.executable);
    assert!(z.inputs.is_empty());
    assert_eq!(conns(&p, "w", "corpora"), ["x[1]", "x[2]"]);
    assert_eq!(
        module(&p, "w").modvars["v"],
        pimlico_config::ModVarValue::List(vec!["q".into(), "q".into()])
    );
}

#[test]
fn datatype_inputs_keep_their_datatype_options() {
    let p = load(&format!(
        "{HEADER}[src]\ntype=GroupedCorpus\ndata_point_type=TokenizedDocumentType\ndir=/d\nmodvar_a=\"1\"\n"
    ));
    let src = module(&p, "src");
    assert_eq!(
        src.datatype_options["data_point_type"],
        "TokenizedDocumentType"
    );
    assert_eq!(src.options["dir"], "/d");
    assert!(!src.executable);
    let e = error_at(&format!("{HEADER}[src]\ntype=corpus\nsize=1\n"), 6);
    assert_error(
        &e,
        ErrorKind::ModuleOption,
        "invalid option for grouped_corpus dataset loader module: 'size'",
    );
    let e = error_at(&format!("{HEADER}[src]\ntype=corpus\n"), 4);
    assert_error(
        &e,
        ErrorKind::ModuleOption,
        "dir option is required for grouped_corpus_input module, but was not given",
    );
}

#[test]
fn connection_checks_come_after_loading_except_for_document_map_modules() {
    // As in Pimlico: a later module's option error is reported before an earlier bad output...
    let e = error_at(
        &format!(
            "{HEADER}{SRC}[a]\ntype=subset\ninput=src.nope\nsize=1\n[b]\ntype=subset\nsize=x\n"
        ),
        13,
    );
    assert_error(
        &e,
        ErrorKind::ModuleOption,
        "error processing option value 'x' for size option",
    );
    // ...but a document-map module checks its inputs' outputs as it loads, without the prefix.
    let e = error_at(
        &format!("{HEADER}{SRC}[st]\ntype=store\ninput=src.nope\n[b]\ntype=subset\nsize=x\n"),
        9,
    );
    assert_error(
        &e,
        ErrorKind::Structure,
        "grouped_corpus_input module does not have an output named 'nope'",
    );
    assert!(!e.message.starts_with("failed checks"), "{e}");
}
