//! `[vars]`, the special variables, `%(var)s` substitution and `[pipeline]`.

mod common;
use common::*;
use pimlico_config::{
    ErrorKind, LoadOptions, LocalConfigRequest, load_local_config, load_pipeline,
};

#[test]
fn vars_substitute_in_order_and_special_vars_win_outside_vars() {
    let p = load(&format!(
        "[vars]\na=1\nb=%(a)s2\nhome=myhome\nc=%(home)s\nUpper=UP\n{HEADER}desc=%(b)s %(c)s %(home)s %(upper)s 50%%\n"
    ));
    let f = p.local.values["home"].clone();
    assert_eq!(p.pipeline_config["desc"], format!("12 myhome {f} UP 50%"));
    assert_eq!(p.vars["a"], "1");
}

#[test]
fn forward_references_in_vars_fail() {
    let e = error_at("[vars]\nb=%(a)s\na=1\n", 2);
    assert_error(
        &e,
        ErrorKind::Parse,
        "error making substitutions in %(a)s: var 'a' not specified",
    );
}

#[test]
fn substitution_errors_keep_pimlicos_wording() {
    let e = error_at(&format!("{HEADER}x=50%\n"), 4);
    assert_error(
        &e,
        ErrorKind::Parse,
        "error (ValueError) making substitutions in 50%: incomplete format",
    );
    let e = error_at(&format!("{HEADER}{SRC}[sub]\ntype=subset\nsize=%(n)d\n"), 9);
    assert_error(&e, ErrorKind::Parse, "var 'n' not specified");
    assert_eq!(e.module.as_deref(), Some("sub"));
    let e = error_at(&format!("{HEADER}x=%s\n"), 4);
    assert_error(&e, ErrorKind::Parse, "write '%(name)s' for a variable");
}

#[test]
fn special_variables_default_to_the_config_directory() {
    let f = Fixture::new();
    f.write(
        "sub/main.conf",
        &format!("{HEADER}r=%(project_root)s|%(pimlico_root)s|%(output_dir)s|%(test_data_dir)s\n")
            .replace('|', " "),
    );
    let local = f.write("local.conf", "store=/s\n");
    let local = load_local_config(&LocalConfigRequest {
        file: Some(local),
        ..Default::default()
    })
    .unwrap();
    let types = TestTypes::new();
    let p = load_pipeline(
        &f.dir.path().join("sub/main.conf"),
        LoadOptions {
            variant: "main",
            local,
            resolver: &types,
        },
    )
    .unwrap();
    let d = format!("{}/sub", f.root());
    assert_eq!(
        p.pipeline_config["r"],
        format!("{d} {d} {d}/output {d}/test/data")
    );
}

#[test]
fn special_variables_come_from_the_local_config() {
    let f = Fixture::new();
    f.write(
        "main.conf",
        &format!("{HEADER}t=%(test_data_dir)s\nh=%(home)s\n"),
    );
    let p = f.load("main.conf").unwrap();
    assert_eq!(
        p.pipeline_config["t"],
        format!("{}/pim/test/data", f.root())
    );
    assert_eq!(p.pipeline_config["h"], format!("{}/home", f.root()));
}

#[test]
fn pipeline_section_is_required_with_name_and_release() {
    let e = try_load("[vars]\nx=1\n").unwrap_err();
    assert_error(
        &e,
        ErrorKind::Parse,
        "no 'pipeline' section found in config",
    );
    let e = error_at("[pipeline]\nrelease=latest\n", 1);
    assert_error(
        &e,
        ErrorKind::Parse,
        "pipeline name must be specified as 'name' attribute",
    );
    let e = error_at("[pipeline]\nname=x\n", 1);
    assert_error(
        &e,
        ErrorKind::Parse,
        "Pimlico release version must be specified",
    );
}

#[test]
fn release_latest_and_checks() {
    let p = load(HEADER);
    assert_eq!(p.release, "0.9.25");
    assert_eq!(
        p.pipeline_config["release"],
        pimlico_config::PIMLICO_RELEASE
    );
    for ok in ["0.8", "0.9.25rc", "0.9"] {
        assert_eq!(
            load(&format!("[pipeline]\nname=p\nrelease={ok}\n")).release,
            ok
        );
    }
    let e = error_at("[pipeline]\nname=p\nrelease=0.10\n", 3);
    assert_error(
        &e,
        ErrorKind::Structure,
        "You need to use >= v0.10 to run this config file (and not > 0). Currently using 0.9.25",
    );
    let e = error_at("[pipeline]\nname=p\nrelease=1.0\n", 3);
    assert_error(
        &e,
        ErrorKind::Structure,
        "Running version 0.9.25, required version 1.0",
    );
    let e = error_at("[pipeline]\nname=p\nrelease=abc\n", 3);
    assert_error(&e, ErrorKind::Parse, "invalid Pimlico release 'abc'");
}

#[test]
fn module_path_and_python_path_are_relative_to_the_config() {
    let f = Fixture::new();
    std::fs::create_dir_all(f.dir.path().join("src")).unwrap();
    f.write(
        "conf/main.conf",
        &format!("{HEADER}python_path=../src::/abs\nmodule_path=mods\n"),
    );
    let p = f.load("conf/main.conf").unwrap();
    let root = f.dir.path();
    assert_eq!(
        p.module_path,
        [root.join("src"), "/abs".into(), root.join("conf/mods")]
    );
}

#[test]
fn included_vars_override_but_cannot_see_the_includer() {
    let f = Fixture::new();
    f.write(
        "inc.conf",
        "%%abstract\n[vars]\nmyvar=fromincluded\n[x]\ntype=corpus\ndir=%(myvar)s\n",
    );
    f.write(
        "main.conf",
        &format!("[vars]\nmyvar=frommain\nother=%(myvar)s-x\n%%include inc.conf\n{HEADER}a=%(myvar)s %(other)s\n"),
    );
    let p = f.load("main.conf").unwrap();
    assert_eq!(p.pipeline_config["a"], "fromincluded frommain-x");
    assert_eq!(module(&p, "x").options["dir"], "fromincluded");
}
