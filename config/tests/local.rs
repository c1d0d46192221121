//! The local config: home files, host-specific files, `--local-config`, `-l` overrides,
//! interpolation, stores.

use std::path::{Path, PathBuf};

use pimlico_config::{ErrorKind, LocalConfigRequest, StoreRoot, load_local_config};

fn home_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(home.path().join(name), text).unwrap();
    }
    home
}

fn request(home: &Path, host: &str) -> LocalConfigRequest {
    LocalConfigRequest {
        home: Some(home.to_path_buf()),
        hostname: Some(host.to_owned()),
        ..Default::default()
    }
}

fn store(name: &str, root: impl Into<PathBuf>) -> StoreRoot {
    StoreRoot {
        name: name.into(),
        root: root.into(),
    }
}

#[test]
fn host_files_most_specific_wins() {
    let home = home_with(&[
        (".pimlico", "store=/base\nwho=base\n"),
        (".pimlico_v-", "who=v-\n"),
        (".pimlico_vm-", "who=vm-\n"),
        (".pimlico_vm", "who=vm\n"),
        (".pimlico_other", "who=other\n"),
    ]);
    let h = home.path();
    let who = |host: &str| load_local_config(&request(h, host)).unwrap().values["who"].clone();
    assert_eq!(who("vm"), "vm");
    assert_eq!(who("vm2"), "vm-");
    assert_eq!(who("vx"), "v-");
    assert_eq!(who("zz"), "base");
    let lc = load_local_config(&request(h, "vm2")).unwrap();
    assert_eq!(lc.files, [h.join(".pimlico"), h.join(".pimlico_vm-")]);
    assert_eq!(lc.values["store"], "/base");
}

#[test]
fn host_file_alone_is_enough() {
    let home = home_with(&[(".pimlico_box", "store=/s\n")]);
    let lc = load_local_config(&request(home.path(), "box")).unwrap();
    assert_eq!(lc.stores, [store("default", "/s")]);
}

#[test]
fn no_file_at_all() {
    let home = home_with(&[]);
    let e = load_local_config(&request(home.path(), "box")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::LocalConfig);
    assert!(e.message.starts_with(
        "basic Pimlico local config file does not exist and no other local config files are available in the current context. Looked for basic config in "
    ), "{e}");
}

#[test]
fn local_config_file_replaces_home_files_and_overrides_apply() {
    let home = home_with(&[(".pimlico", "store=/home-store\n")]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lc");
    std::fs::write(&file, "store=./data/store/\nstore_big=../big\nprocesses=2\nx=%(processes)s0\ny=100%%\nZ: %(PROCESSES)s\n").unwrap();
    let lc = load_local_config(&LocalConfigRequest {
        file: Some(file.clone()),
        overrides: vec![
            ("processes".into(), "8".into()),
            ("store_fast".into(), "/fast".into()),
        ],
        ..request(home.path(), "h")
    })
    .unwrap();
    assert_eq!(lc.files, [file]);
    assert_eq!(lc.values["x"], "20");
    assert_eq!(lc.values["y"], "100%");
    assert_eq!(lc.values["z"], "2");
    assert_eq!(lc.values["processes"], "8");
    let parent = dir.path().parent().unwrap();
    assert_eq!(
        lc.stores,
        [
            store("default", dir.path().join("data/store")),
            store("big", parent.join("big")),
            store("fast", "/fast"),
        ]
    );
}

#[test]
fn interpolation_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "store=/s\nx=%(nope)s\n",
            2,
            "Bad value substitution: option 'x' in section 'main' contains an interpolation key 'nope' which is not a valid option name. Raw value: '%(nope)s'",
        ),
        (
            "store=/s\nx=50%\n",
            2,
            "'%' must be followed by '%' or '(', found: '%'",
        ),
        (
            "store=/s\nx=%(a\n",
            2,
            "bad interpolation variable reference '%(a'",
        ),
        (
            "store=/s\na=%(b)s\nb=%(a)s\n",
            2,
            "Recursion limit exceeded in value substitution: option 'a' in section 'main'",
        ),
        (
            "store=/s\nstore=/t\n",
            2,
            "[line  3]: option 'store' in section 'main' already exists",
        ),
    ];
    for (text, line, message) in cases {
        let file = dir.path().join("lc");
        std::fs::write(&file, text).unwrap();
        let e = load_local_config(&LocalConfigRequest {
            file: Some(file.clone()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::LocalConfig);
        assert!(e.message.contains(message), "expected {message:?} in {e}");
        assert_eq!(e.line, Some(line), "{e}");
        assert_eq!(e.file.as_deref(), Some(file.as_path()));
    }
}

#[test]
fn stores_in_pimlico_order_and_the_no_store_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lc");
    std::fs::write(&file, "store_fast=/f\nstore_big=/b\n").unwrap();
    let lc = load_local_config(&LocalConfigRequest {
        file: Some(file.clone()),
        overrides: vec![("store".into(), "/default".into())],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        lc.stores,
        [
            store("default", "/default"),
            store("fast", "/f"),
            store("big", "/b")
        ]
    );

    std::fs::write(&file, "processes=2\n").unwrap();
    let e = load_local_config(&LocalConfigRequest {
        file: Some(file.clone()),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::LocalConfig);
    assert!(
        e.message.starts_with(
            "no storage location was found in local config. You should specify at least one"
        ),
        "{e}"
    );
    assert_eq!(e.file.as_deref(), Some(file.as_path()));
}

#[test]
fn deprecated_store_keys() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lc");
    std::fs::write(&file, "long_term_store=/long\nshort_term_store=short\n").unwrap();
    let lc = load_local_config(&LocalConfigRequest {
        file: Some(file.clone()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        lc.stores,
        [
            store("short", dir.path().join("short")),
            store("long", "/long")
        ]
    );
    // With another store given, Pimlico lost the short-term store (`storage_short`).
    std::fs::write(&file, "store=/s\nshort_term_store=/short\n").unwrap();
    let lc = load_local_config(&LocalConfigRequest {
        file: Some(file),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        lc.stores,
        [store("default", "/s"), store("short", "/short")]
    );
}

#[test]
fn unreadable_local_config_file() {
    let e = load_local_config(&LocalConfigRequest {
        file: Some("/nonexistent/lc".into()),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::LocalConfig);
    assert!(
        e.message
            .contains("could not read local config file /nonexistent/lc"),
        "{e}"
    );
}
