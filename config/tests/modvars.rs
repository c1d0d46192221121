//! Module variables: inheritance, assignments, the expression language and `$(...)`.

mod common;
use common::*;
use pimlico_config::{ErrorKind, ModVarValue};

fn s(v: &str) -> ModVarValue {
    ModVarValue::Str(v.into())
}

fn l(v: &[&str]) -> ModVarValue {
    ModVarValue::List(v.iter().map(|x| (*x).to_owned()).collect())
}

const LANGS: &str = "[src]\ntype=corpus\ndir={en}/e|{sv}/s\nmodvar_lang=altname(dir)\n\
modvar_lang_name=map(\n    lang,\n    \"en\" -> \"English\"\n    \"sv\" -> \"Svenska\")\nmodvar_n=\"3\"\n";

#[test]
fn the_modvars_probe() {
    let p = load(&format!(
        "{HEADER}{LANGS}[sub]\ntype=subset\nsize=$(n)\noffset=$(map(lang, \"en\" -> \"1\" * -> \"2\"))\n\
         [cat]\ntype=concat\ninput_corpora=*sub\nmodvar_langs=corpora.lang\nmodvar_joined=join(\"+\", langs)\n\
         modvar_count=len(langs)\nmodvar_first=langs[0]\n\
         [cat2]\ntype=concat\ninput_corpora=sub[en]*2,sub[sv]\nmodvar_ls=corpora.lang_name\n\
         [cat3]\ntype=concat\ninput_corpora=sub[en,sv]\n"
    ));
    let src = module(&p, "src[sv]");
    assert_eq!(src.modvars["lang_name"], s("Svenska"));
    let sub = module(&p, "sub[sv]");
    assert_eq!(sub.options["size"], 3);
    assert_eq!(sub.options["offset"], 2);
    let cat = module(&p, "cat");
    assert_eq!(cat.modvars["lang"], l(&["en", "sv"]));
    assert_eq!(cat.modvars["n"], l(&["3", "3"]));
    assert_eq!(cat.modvars["joined"], s("en+sv"));
    assert_eq!(cat.modvars["count"], s("2"));
    assert_eq!(cat.modvars["first"], s("en"));
    assert_eq!(
        conns(&p, "cat2", "corpora"),
        ["sub[en]", "sub[en]", "sub[sv]"]
    );
    assert_eq!(module(&p, "cat2").modvars["ls"], l(&["English", "Svenska"]));
    assert_eq!(conns(&p, "cat3", "corpora"), ["sub[en]", "sub[sv]"]);
}

#[test]
fn lists_literals_indexing_and_removal() {
    let p = load(&format!(
        "{HEADER}{SRC}[sub]\ntype=subset\nmodvar_x=\"a\",\"b\"\nmodvar_y=x[1]\nmodvar_i=\"-1\"\nmodvar_neg=x[i]\nmodvar_z=x[0],\"q\",x\n\
         modvar_w=x[\"1\"]\nmodvar_num=12\nmodvar_gone=\"g\"\nmodvar_gone=none\nsize=$(len(z))$(num)\noffset=$(i)\n"
    )
    .replace("modvar_gone=none\n", "")
    .replace("modvar_gone=\"g\"\n", "modvar_gone=undefined\n"));
    let m = module(&p, "sub");
    assert_eq!(m.modvars["y"], s("b"));
    assert_eq!(m.modvars["neg"], s("b"));
    assert_eq!(m.modvars["z"], l(&["a", "q", "a", "b"]));
    assert_eq!(m.modvars["w"], s("b"));
    assert!(!m.modvars.contains_key("gone"));
    assert_eq!(m.options["size"], 412);
    assert_eq!(m.raw_options["size"], "412");
    assert_eq!(m.options["offset"], -1);
}

#[test]
fn inherited_values_and_none_removes_them() {
    let p = load(&format!(
        "{HEADER}{LANGS}[sub]\ntype=subset\nsize=1\nmodvar_n=none\nmodvar_l2=corpus.lang\n"
    ));
    let m = module(&p, "sub[en]");
    assert!(!m.modvars.contains_key("n"));
    assert_eq!(m.modvars["l2"], s("en"));
    assert_eq!(m.modvars["lang"], s("en"));
}

#[test]
fn modvars_in_input_specs_expand_lists() {
    let p = load(&format!(
        "{HEADER}{LANGS}[c]\ntype=concat\ninput_corpora=*src\nmodvar_all=corpora.lang\n\
         [c2]\ntype=concat\ninput_corpora=src[en]\nmodvar_ls=\"en\",\"sv\"\n\
         [c3]\ntype=concat\ninput_corpora=c2*$(k),src[$(ls)]\nmodvar_ls=\"sv\",\"en\"\nmodvar_k=len(ls)\n"
    ));
    assert_eq!(
        conns(&p, "c3", "corpora"),
        ["c2", "c2", "src[sv]", "src[en]"]
    );
    // Specs that depend on module variables do not pass theirs on (Pimlico's rule).
    assert!(!module(&p, "c3").modvars.contains_key("lang"));
}

#[test]
fn expression_errors_keep_pimlicos_wording() {
    let base = format!("{HEADER}{SRC}[sub]\ntype=subset\n");
    let cases = [
        (
            "modvar_x=nope\nsize=1\n",
            0,
            "could not parse module variable 'x = nope': unknown module variable 'nope'",
        ),
        (
            "modvar_x=\"a\"\nmodvar_y=map(x, \"b\" -> \"c\")\nsize=1\n",
            1,
            "mapping got unknown input value 'a' and has no default ('*') mapping",
        ),
        (
            "modvar_x=\"1\" junk\nsize=1\n",
            0,
            "could not parse module variable 'x = \"1\" junk': unexpected string: junk",
        ),
        (
            "modvar_x=\"a\"\nmodvar_y=x[0]\nsize=1\n",
            1,
            "[]-expression can only be applied to list-type modvar expressions",
        ),
        (
            "modvar_x=\"a\",\"b\"\nmodvar_y=x[5]\nsize=1\n",
            1,
            "list index 5 is out of range for a list of 2 values",
        ),
        (
            "modvar_x=\"a\",\"b\"\nmodvar_y=x[\"z\"]\nsize=1\n",
            1,
            "list-item specifier must be an integer: got 'z'",
        ),
        (
            "modvar_x=\"a\",\"b\"\nmodvar_y=join(x, x)\nsize=1\n",
            1,
            "first argument to join() function should be a string to use as the joiner. Got a list",
        ),
        (
            "modvar_x=join(\"-\", \"a\")\nsize=1\n",
            0,
            "second argument to join() function must be a list. Got: a",
        ),
        (
            "modvar_x=len(\"a\")\nsize=1\n",
            0,
            "argument to len() function must be a list. Got: a",
        ),
        ("modvar_x=\"abc\nsize=1\n", 0, "unmatched quote at '\"abc'"),
        (
            "modvar_x=altname(size)\nsize=1\n",
            0,
            "parameter 'size' either was not specified for the module or did not have alternative values",
        ),
        (
            "modvar_x=corpus.nope\nsize=1\n",
            0,
            "tried to get variable 'nope' from input 'corpus', but the input module doesn't have a variable of that name",
        ),
        (
            "modvar_x=other.nope\nsize=1\n",
            0,
            "tried to get variable 'nope' from input 'other', but could not find that input. Available inputs are: corpus",
        ),
        (
            "modvar_x=map(\"a\" \"b\")\nsize=1\n",
            0,
            "map(val, mapping) must take two arguments",
        ),
        (
            "modvar_x=map(\"a\", \"b\" -> \"c\" * \"d\")\nsize=1\n",
            0,
            "syntax error in map: expected '->', but got '\"d\")'",
        ),
    ];
    for (body, offset, message) in cases {
        let e = error_at(&format!("{base}{body}"), 9 + offset);
        assert_error(&e, ErrorKind::Parse, message);
        assert_eq!(e.module.as_deref(), Some("sub"));
    }
}

#[test]
fn substitution_errors() {
    let base = format!("{HEADER}{SRC}[sub]\ntype=subset\nmodvar_x=\"a\",\"b\"\nmodvar_o=\"1\"\n");
    let e = error_at(&format!("{base}size=$(x)\n"), 11);
    assert_error(
        &e,
        ErrorKind::Parse,
        "tried to substitute a modvar expression that evaluates to a list of values into a string: a, b",
    );
    let e = error_at(&format!("{base}size=$(o\n"), 11);
    assert_error(
        &e,
        ErrorKind::Parse,
        "reached end of parameter before finding closing bracket of modvar substitution $(...): $(o",
    );
    let e = error_at(&format!("{base}size=$(o]\n"), 11);
    assert_error(
        &e,
        ErrorKind::Parse,
        "expected closing bracket after modvar substitution $(...), but got ']' in parameter: $(o]",
    );
    let e = error_at(&format!("{base}size=$(nope)\n"), 11);
    assert_error(
        &e,
        ErrorKind::Parse,
        "could not parse module variable expression 'size = $(nope)': unknown module variable 'nope'",
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "map(".repeat(200);
    let e = error_at(
        &format!("{HEADER}{SRC}[sub]\ntype=subset\nmodvar_x={deep}\nsize=1\n"),
        9,
    );
    assert_error(&e, ErrorKind::Parse, "nested more than");
}

#[test]
fn substituted_values_are_not_scanned_again() {
    // Pimlico would loop forever here.
    let e = error_at(
        &format!("{HEADER}{SRC}[sub]\ntype=subset\nmodvar_x=\"$(x)\"\nsize=$(x)\n"),
        10,
    );
    assert_error(
        &e,
        ErrorKind::ModuleOption,
        "error processing option value '$(x)' for size option",
    );
}
