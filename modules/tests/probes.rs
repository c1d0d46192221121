//! Every probe config of the original Pimlico loads here with the same meaning: module order,
//! schedule, aliases, pipeline settings, and per module its type name, inputs, options,
//! module variables and executability, for every variant (or the same error). And every test
//! pipeline of the original loads with the catalogue, unknown types coming out unavailable.

use std::path::{Path, PathBuf};

use pimlico_config::{
    LoadOptions, LocalConfig, LocalConfigRequest, load_local_config, load_pipeline,
};
use pimlico_modules::catalogue::PimlicoCatalogue;
use serde_json::Value;

/// The shared fixtures (`shared/fixtures`): from `PIMLICO_FIXTURES`, else found beside an
/// ancestor of this crate (`/work/main`, a worktree below `/work/wt`), else `/work/shared`,
/// where a clean clone made anywhere else on this machine finds them.
fn fixtures() -> PathBuf {
    let env = std::env::var_os("PIMLICO_FIXTURES").map(PathBuf::from);
    let found = env.into_iter().chain(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|a| a.join("shared/fixtures"))
            .chain([PathBuf::from("/work/shared/fixtures")]),
    );
    found
        .into_iter()
        .find(|p| p.join("pimlico-probes").is_dir())
        .expect("the shared fixtures (pimlico-probes) were not found: set PIMLICO_FIXTURES")
}

struct Env {
    _dir: tempfile::TempDir,
    pimlico_root: String,
    home: String,
    local: LocalConfig,
}

/// A real local config file pointing `pimlico_root` and `home` at a scratch directory.
fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let pimlico_root = dir.path().join("pimlico").display().to_string();
    let home = dir.path().join("home").display().to_string();
    let file = dir.path().join("local.conf");
    std::fs::write(
        &file,
        format!("store=store\npimlico_root={pimlico_root}\nhome={home}\n"),
    )
    .unwrap();
    let local = load_local_config(&LocalConfigRequest {
        file: Some(file),
        ..Default::default()
    })
    .unwrap();
    Env {
        _dir: dir,
        pimlico_root,
        home,
        local,
    }
}

fn substitute(v: &mut Value, env: &Env) {
    match v {
        Value::String(s) => {
            *s = s
                .replace("<PIMLICO_ROOT>", &env.pimlico_root)
                .replace("<HOME>", &env.home);
        }
        Value::Array(items) => items.iter_mut().for_each(|i| substitute(i, env)),
        Value::Object(map) => map.values_mut().for_each(|i| substitute(i, env)),
        _ => {}
    }
}

/// Leaves out the option we add to the original's `split` (documented in `docs/modules.md`):
/// its `seed`, since the original's split was not seeded.
fn remove_added_options(type_name: &Value, options: &mut Value) {
    if type_name == "split"
        && let Some(map) = options.as_object_mut()
    {
        map.remove("seed");
    }
}

/// Differences between our listing of one variant and the original's.
fn compare(probe: &str, variant: &str, expected: &Value, ours: &Value, problems: &mut Vec<String>) {
    for key in ["order", "schedule", "aliases", "pipeline_config"] {
        if expected[key] != ours[key] {
            problems.push(format!(
                "{probe} [{variant}] {key}: expected {}, got {}",
                expected[key], ours[key]
            ));
        }
    }
    let (Some(exp_modules), Some(our_modules)) =
        (expected["modules"].as_object(), ours["modules"].as_object())
    else {
        problems.push(format!("{probe} [{variant}]: no module listing"));
        return;
    };
    for (name, exp) in exp_modules {
        let Some(our) = our_modules.get(name) else {
            problems.push(format!("{probe} [{variant}] module {name} missing"));
            continue;
        };
        for key in ["type_name", "inputs", "options", "modvars", "executable"] {
            let mut our_value = our[key].clone();
            if key == "options" {
                remove_added_options(&our["type_name"], &mut our_value);
            }
            if exp[key] != our_value {
                problems.push(format!(
                    "{probe} [{variant}] {name}.{key}: expected {}, got {}",
                    exp[key], our_value
                ));
            }
        }
    }
    for name in our_modules.keys().filter(|n| !exp_modules.contains_key(*n)) {
        problems.push(format!("{probe} [{variant}] unexpected module {name}"));
    }
}

#[test]
fn probes_match_the_original() {
    let env = env();
    let catalogue = PimlicoCatalogue::new();
    let dir = fixtures().join("pimlico-probes");
    let mut probes: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    probes.sort();
    assert!(probes.len() >= 7, "probes found: {probes:?}");
    let mut problems = Vec::new();
    let mut checked = 0;
    for conf in &probes {
        let probe = conf.file_name().unwrap().to_string_lossy().into_owned();
        let expected_file = conf.with_extension("expected.json");
        let mut expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_file).unwrap()).unwrap();
        substitute(&mut expected, &env);
        for variant in expected["variants"].as_array().unwrap() {
            let variant = variant.as_str().unwrap();
            let exp = &expected["results"][variant];
            let result = load_pipeline(
                conf,
                LoadOptions {
                    variant,
                    local: env.local.clone(),
                    resolver: &catalogue,
                },
            );
            checked += 1;
            match (result, exp.get("error").and_then(Value::as_str)) {
                (Ok(pipeline), None) => {
                    let ours = pimlico_config::variant_report(&pipeline);
                    compare(&probe, variant, exp, &ours, &mut problems);
                }
                (Err(e), Some(error)) => {
                    let message = error.split_once(": ").map_or(error, |(_, m)| m);
                    if !e.to_string().contains(message) {
                        problems.push(format!(
                            "{probe} [{variant}]: expected error containing {message:?}, got {e}"
                        ));
                    }
                }
                (Ok(_), Some(error)) => {
                    problems.push(format!("{probe} [{variant}]: loaded, expected {error}"));
                }
                (Err(e), None) => problems.push(format!("{probe} [{variant}]: {e}")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 10, "only {checked} variants checked");
}

#[test]
fn original_test_pipelines_load() {
    let env = env();
    let catalogue = PimlicoCatalogue::new();
    let mut confs = Vec::new();
    let mut stack = vec![fixtures().join("pimlico-testdata/pipelines")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "conf") {
                confs.push(path);
            }
        }
    }
    confs.sort();
    assert!(confs.len() >= 25, "test pipelines found: {}", confs.len());
    let mut failures = Vec::new();
    let (mut available, mut unavailable) = (0, 0);
    for conf in &confs {
        let options = LoadOptions {
            variant: "main",
            local: env.local.clone(),
            resolver: &catalogue,
        };
        match load_pipeline(conf, options) {
            Ok(p) => {
                assert!(!p.modules.is_empty(), "{}: no modules", conf.display());
                for m in &p.modules {
                    match &m.unavailable {
                        Some(reason) => {
                            assert!(reason.contains(&m.type_string), "{reason}");
                            assert!(m.signature.is_none());
                            unavailable += 1;
                        }
                        None => available += 1,
                    }
                }
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every module type these pipelines use is known here (at least by its signature).
    assert!(
        available > 60 && unavailable == 0,
        "{available} known, {unavailable} unavailable"
    );
}
