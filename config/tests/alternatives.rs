//! Alternatives: products, tying, naming, expansion down the pipeline, lists, aliases.

mod common;
use common::*;
use pimlico_config::{ErrorKind, ModVarValue};

#[test]
fn product_with_the_first_parameter_varying_fastest() {
    let p = load(&format!(
        "{HEADER}{SRC}[sub]\ntype=subset\nsize=1|2\noffset=3|4|5\n[store]\ntype=store\n"
    ));
    let subs: Vec<&str> = names(&p)[1..7].to_vec();
    assert_eq!(
        subs,
        [
            "sub[size=1~offset=3]",
            "sub[size=2~offset=3]",
            "sub[size=1~offset=4]",
            "sub[size=2~offset=4]",
            "sub[size=1~offset=5]",
            "sub[size=2~offset=5]",
        ]
    );
    assert_eq!(module(&p, "sub[size=2~offset=4]").options["offset"], 4);
    // Expansion down the pipeline: the store follows each subset.
    assert_eq!(
        conns(&p, "store[size=1~offset=5]", "corpus"),
        ["sub[size=1~offset=5]"]
    );
    assert_eq!(p.expanded["store"].len(), 6);
    assert_eq!(
        p.schedule()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .len(),
        6
    );
    assert_eq!(module(&p, "sub[size=1~offset=3]").alt_names["size"], "1");
}

#[test]
fn tying_and_naming() {
    let p = load(&format!(
        "{HEADER}{SRC}[sub2]\ntype=subset\ninput=src\ntie_alts=T\nsize={{small}}1|{{big}}2\noffset=7|8\n\
         [sub3]\ntype=subset\ninput=src\nalt_naming=pos\nsize={{a}}1|{{b}}2\noffset=7|8\n\
         [sub4]\ntype=subset\ninput=src\nalt_naming=option(size)\ntie_alts=T\nsize={{a}}1|{{b}}2\noffset=7|8\n\
         [sub5]\ntype=subset\ninput=src\ntie_alts=size|offset\nsize={{x}}1|{{y}}2\noffset={{x}}7|{{y}}8\nskip_invalid=T|F\n"
    ));
    assert_eq!(
        &names(&p)[1..],
        [
            "sub2[size=small~offset=7]",
            "sub2[size=big~offset=8]",
            "sub3[a~7]",
            "sub3[b~7]",
            "sub3[a~8]",
            "sub3[b~8]",
            "sub4[a]",
            "sub4[b]",
            "sub5[size=x~skip_invalid=T]",
            "sub5[size=y~skip_invalid=T]",
            "sub5[size=x~skip_invalid=F]",
            "sub5[size=y~skip_invalid=F]",
        ]
    );
    assert_eq!(
        module(&p, "sub5[size=y~skip_invalid=F]").options["offset"],
        8
    );
}

#[test]
fn full_naming_strips_input_prefixes() {
    for naming in ["full(inputname)", "full"] {
        let p = load(&format!(
            "{HEADER}{SRC}[sub]\ntype=subset\nalt_naming={naming}\ninput_corpus={{p}}src|{{q}}src\nsize=1|2\n"
        ));
        assert_eq!(names(&p)[1], "sub[corpus=p~size=1]", "{naming}");
    }
    let p = load(&format!(
        "{HEADER}{SRC}[sub]\ntype=subset\ninput_corpus={{p}}src|{{q}}src\nsize=1|2\n"
    ));
    assert_eq!(names(&p)[1], "sub[input_corpus=p~size=1]");
}

#[test]
fn naming_errors() {
    let base = format!("{HEADER}{SRC}[sub]\ntype=subset\n");
    let e = error_at(&format!("{base}alt_naming=weird\nsize=1|2\n"), 7);
    assert_error(
        &e,
        ErrorKind::Parse,
        "could not interpret alt_naming option to sub: weird",
    );
    let e = error_at(&format!("{base}alt_naming=full(inputnames)\nsize=1|2\n"), 7);
    assert_error(
        &e,
        ErrorKind::Structure,
        "unknown alternative naming option 'inputnames'",
    );
    let e = error_at(&format!("{base}alt_naming=option(offset)\nsize=1|2\n"), 7);
    assert_error(
        &e,
        ErrorKind::Parse,
        "tried to take alt name from option 'offset' for module sub",
    );
    let e = error_at(&format!("{base}size={{a[1]}}1|2\n"), 7);
    assert_error(
        &e,
        ErrorKind::Parse,
        "invalid alt name for module sub: module alternative name 'a[1]' is invalid: alt names may not include '['",
    );
    let e = error_at(&format!("{base}size={{x}}1|{{x}}2\n"), 7);
    assert_error(
        &e,
        ErrorKind::Structure,
        "module name 'sub[x]' is used twice",
    );
    let e = error_at(&format!("{base}size={{x1|2\n"), 7);
    assert_error(&e, ErrorKind::Parse, "has no closing '}'");
}

#[test]
fn tie_errors() {
    let base = format!("{HEADER}{SRC}[sub]\ntype=subset\n");
    let e = error_at(&format!("{base}tie_alts=nope\nsize=1|2\n"), 7);
    assert_error(
        &e,
        ErrorKind::Structure,
        "parameter 'nope' was specified in tie_alts for module 'sub', but isn't given as one of the module's parameters",
    );
    let e = error_at(&format!("{base}tie_alts=offset\nsize=1|2\noffset=3\n"), 7);
    assert_error(
        &e,
        ErrorKind::Structure,
        "parameter 'offset' was specified in tie_alts for module 'sub', but doesn't have any alternative values",
    );
    let e = error_at(&format!("{base}tie_alts=T\nsize=1|2\noffset=3|4|5\n"), 7);
    assert_error(
        &e,
        ErrorKind::Structure,
        "could not tie parameters to sub: parameters size, offset do not all have the same number of alternative values (2, 3): cannot tie them",
    );
}

#[test]
fn huge_products_are_refused() {
    let alts = (0..20).map(|i| i.to_string()).collect::<Vec<_>>().join("|");
    let text = format!(
        "{HEADER}{SRC}[sub]\ntype=subset\nsize={alts}\noffset={alts}\nskip_invalid={alts}\nx={alts}\n"
    );
    let e = error_at(&text, 7);
    assert_error(
        &e,
        ErrorKind::Parse,
        "would expand into more than 100000 alternatives",
    );
}

#[test]
fn lists_of_expanded_modules_are_zipped() {
    let p = load(&format!(
        "{HEADER}{SRC}[a]\ntype=subset\ninput=src\nsize=1|2\n[b]\ntype=subset\ninput=src\nsize={{x}}1|{{y}}2\n\
         [c]\ntype=concat\ninput_corpora=a,src\n[d]\ntype=concat\ninput_corpora=a, b\n\
         [e]\ntype=concat\ninput_corpora=*a,*b\n[f]\ntype=concat\ninput_corpora={{p}}a|{{q}}src\n\
         [g]\ntype=concat\ninput_corpora=src,b[x,y]\n"
    ));
    assert_eq!(
        &names(&p)[5..],
        [
            "c[1]", "c[2]", "d[1-x]", "d[2-y]", "e", "f[p_1]", "f[p_2]", "f[q]", "g"
        ]
    );
    assert_eq!(conns(&p, "c[2]", "corpora"), ["a[2]", "src"]);
    assert_eq!(conns(&p, "d[2-y]", "corpora"), ["a[2]", "b[y]"]);
    assert_eq!(conns(&p, "e", "corpora"), ["a[1]", "a[2]", "b[x]", "b[y]"]);
    assert_eq!(conns(&p, "f[q]", "corpora"), ["src"]);
    // Pimlico mangled a `[x,y]` list that did not start the value.
    assert_eq!(conns(&p, "g", "corpora"), ["src", "b[x]", "b[y]"]);
}

#[test]
fn list_alternative_counts_must_agree() {
    let base = format!(
        "{HEADER}{SRC}[a]\ntype=subset\ninput=src\nsize=1|2\n[g]\ntype=subset\ninput=src\nsize=1|2|3\n"
    );
    let e = error_at(&format!("{base}[h]\ntype=concat\ninput_corpora=a,g\n"), 17);
    assert_error(
        &e,
        ErrorKind::Parse,
        "error processing alternative values for input_corpora to h. When expanding a list of module names, every item in the list must have the same number of alternatives, or just one alternative. Got alternative numbers '2, 3' from list 'a,g'",
    );
    // Pimlico truncated silently when a single item was also in the list.
    let e = error_at(
        &format!("{base}[h]\ntype=concat\ninput_corpora=a,g,src\n"),
        17,
    );
    assert_error(&e, ErrorKind::Parse, "Got alternative numbers '2, 3, 1'");
}

#[test]
fn star_needs_an_expanded_module() {
    let e = error_at(
        &format!("{HEADER}{SRC}[c]\ntype=concat\ninput_corpora=*src\n"),
        9,
    );
    assert_error(
        &e,
        ErrorKind::Parse,
        "input specification '*src' uses *-notation to refer to a previous module that's been expanded into alternatives, but module 'src' has not been expanded",
    );
}

#[test]
fn altgroup_makes_alternatives_of_an_output_group() {
    let p = load(&format!(
        "{HEADER}{SRC}[split]\ntype=split\n[st]\ntype=store\ninput=altgroup(split.corpora)\n"
    ));
    assert_eq!(&names(&p)[2..], ["st[split.set1]", "st[split.set2]"]);
    assert_eq!(conns(&p, "st[split.set2]", "corpus"), ["split.set2"]);
    let base = format!("{HEADER}{SRC}[split]\ntype=split\n[st]\ntype=store\n");
    let e = error_at(&format!("{base}input=x,altgroup(split.corpora)\n"), 11);
    assert_error(
        &e,
        ErrorKind::Parse,
        "not sure how to interpret input option with altgroup() in context: x,altgroup(split.corpora)",
    );
    let e = error_at(&format!("{base}input=altgroup(split.nope)\n"), 11);
    assert_error(
        &e,
        ErrorKind::Parse,
        "module 'split' has no output group named 'nope' (used in input 'input' to module 'st')",
    );
    let e = error_at(&format!("{base}input=altgroup(nope.corpora)\n"), 11);
    assert_error(
        &e,
        ErrorKind::Parse,
        "unknown module 'nope' in altgroup() argument",
    );
    let e = error_at(&format!("{base}input=altgroup(splitcorpora)\n"), 11);
    assert_error(
        &e,
        ErrorKind::Parse,
        "argument to altgroup() must be module_name.output_group",
    );
}

#[test]
fn aliases_follow_their_targets() {
    let p = load(&format!(
        "{HEADER}{SRC}[sub2]\ntype=subset\ntie_alts=T\nsize={{small}}1|{{big}}2\noffset=7|8\n\
         [al]\ntype=alias\ninput=sub2\n[store2]\ntype=store\ninput=al\n\
         [al2]\ntype=alias\ninput={{one}}sub2|{{two}}src\n[c]\ntype=concat\ninput_corpora=*al2\n"
    ));
    assert_eq!(
        p.aliases["al[size=small~offset=7]"],
        "sub2[size=small~offset=7]"
    );
    assert_eq!(p.aliases["al2[two]"], "src");
    assert_eq!(
        p.aliases["al2[one_size=big~offset=8]"],
        "sub2[size=big~offset=8]"
    );
    assert!(!p.aliases.contains_key("al2[one]"));
    assert_eq!(
        conns(&p, "store2[size=big~offset=8]", "corpus"),
        ["al[size=big~offset=8]"]
    );
    assert_eq!(
        conns(&p, "c", "corpora"),
        [
            "al2[two]",
            "al2[one_size=small~offset=7]",
            "al2[one_size=big~offset=8]"
        ]
    );
    assert_eq!(module(&p, "al2[two]").name, "src");
}

#[test]
fn alias_errors() {
    let e = error_at(&format!("{HEADER}{SRC}[al]\ntype=alias\n"), 7);
    assert_error(
        &e,
        ErrorKind::Parse,
        "module alias 'al' must have an 'input' option specifying which module it is an alias for",
    );
    let e = error_at(&format!("{HEADER}{SRC}[al]\ntype=alias\ninput=%(x)s\n"), 9);
    assert_error(
        &e,
        ErrorKind::Structure,
        "alias 'al' specified for undefined module '%(x)s'",
    );
    let e = error_at(
        &format!("{HEADER}{SRC}[al]\ntype=alias\ninput=src\n[al2]\ntype=alias\ninput=al\n"),
        12,
    );
    assert_error(
        &e,
        ErrorKind::Structure,
        "alias 'al2' specified for undefined module 'al'",
    );
}

#[test]
fn altname_modvar_names_each_expansion() {
    let p = load(&format!(
        "{HEADER}[src]\ntype=corpus\ndir={{en}}/e|{{sv}}/s\nmodvar_lang=altname(dir)\n[sub]\ntype=subset\nsize=1\n"
    ));
    assert_eq!(names(&p), ["src[en]", "src[sv]", "sub[en]", "sub[sv]"]);
    assert_eq!(
        module(&p, "sub[sv]").modvars["lang"],
        ModVarValue::Str("sv".into())
    );
    assert_eq!(module(&p, "src[sv]").options["dir"], "/s");
}
