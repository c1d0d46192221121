//! The files in `deploy/` are read by the real loaders and parsers, so that an example that no
//! longer matches the code fails here rather than on a server: the example `pimlicod.toml` and
//! `local.conf`, the systemd unit's command line (and, where `systemd-analyze` exists, the
//! unit itself and its exposure score), and the container file's command line and copies.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser;
use pimlico_config::local::{LocalConfigRequest, load_local_config};
use pimlico_core::exec::ExecutorKind;
use pimlicod::cli::Args;
use pimlicod::settings::Settings;

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy")
        .canonicalize()
        .unwrap()
}

fn read(name: &str) -> String {
    let path = deploy().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Values of `key=` lines (systemd unit style).
fn unit_values<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines()
        .filter_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .collect()
}

#[test]
fn the_example_settings_parse_with_the_real_loader() {
    let dir = deploy();
    let s = Settings::from_file(&dir.join("pimlicod.toml")).unwrap();
    assert_eq!(s.listen(), "0.0.0.0:7878");
    assert_eq!(
        s.pipelines,
        [PathBuf::from(
            "/srv/pimlico/pipelines/wordcount/wordcount.conf"
        )]
    );
    // Relative paths follow the file: /etc/pimlico/local.conf once installed.
    assert_eq!(s.local_config, Some(dir.join("local.conf")));
    assert_eq!(s.token_file, Some(dir.join("token")));
    assert_eq!(s.tls_cert, None);
    assert!(!s.insecure_no_auth);
    assert_eq!(s.max_concurrent_runs, Some(1));
    assert_eq!(s.shutdown_deadline_secs, Some(30));
    assert_eq!(s.state_dir, Some(PathBuf::from("/var/lib/pimlicod")));
    assert_eq!(s.executor, Some(ExecutorKind::Local));
    assert!(s.slurm.is_none());
    // It listens beyond loopback, which is allowed only because it names a token.
    let any: SocketAddr = "0.0.0.0:7878".parse().unwrap();
    s.check_exposure(any, true).unwrap();
    assert!(s.check_exposure(any, false).is_err());
}

#[test]
fn the_example_local_config_parses_with_the_real_loader() {
    let local = load_local_config(&LocalConfigRequest {
        file: Some(deploy().join("local.conf")),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(local.stores.len(), 1, "{local:?}");
    assert_eq!(local.stores[0].root, Path::new("/srv/pimlico/store"));
}

#[test]
fn the_unit_starts_pimlicod_with_the_example_settings_as_a_notify_service() {
    let unit = read("pimlicod.service");
    assert_eq!(unit_values(&unit, "Type"), ["notify"]);
    assert_eq!(unit_values(&unit, "NotifyAccess"), ["main"]);
    assert_eq!(unit_values(&unit, "User"), ["pimlico"]);
    assert_eq!(unit_values(&unit, "StateDirectory"), ["pimlicod"]);
    assert_eq!(unit_values(&unit, "ProtectSystem"), ["strict"]);
    let exec = unit_values(&unit, "ExecStart");
    assert_eq!(exec.len(), 1);
    let args = Args::try_parse_from(exec[0].split_whitespace()).unwrap();
    assert_eq!(
        args.config.as_deref(),
        Some(Path::new("/etc/pimlico/pimlicod.toml"))
    );
    // The state directory systemd creates is the one the example settings use.
    let settings = Settings::from_file(&deploy().join("pimlicod.toml")).unwrap();
    assert_eq!(
        settings.state_dir,
        Some(PathBuf::from("/var/lib").join(unit_values(&unit, "StateDirectory")[0]))
    );
    // The service user is the one sysusers.d creates.
    assert!(
        read("pimlicod.sysusers")
            .lines()
            .any(|l| l.starts_with("u pimlico ")),
    );
}

/// `systemd-analyze verify` on the unit (pointed at this build's binary), and its exposure
/// score from `systemd-analyze security`: at most 2.0 ("OK"; 10 is fully exposed).
#[test]
fn systemd_accepts_the_unit_and_rates_it_well_hardened() {
    let probe = Command::new("systemd-analyze").arg("--version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        let _ = writeln!(
            std::io::stderr().lock(),
            "\n!!!!! SKIPPED systemd_accepts_the_unit_and_rates_it_well_hardened: no \
             systemd-analyze here; deploy/pimlicod.service was NOT checked by systemd. !!!!!\n"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let unit = dir.path().join("pimlicod.service");
    let text = read("pimlicod.service").replace(
        "ExecStart=/usr/local/bin/pimlicod",
        &format!("ExecStart={}", env!("CARGO_BIN_EXE_pimlicod")),
    );
    std::fs::write(&unit, text).unwrap();
    let verify = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&unit)
        .output()
        .unwrap();
    assert!(
        verify.status.success() && verify.stderr.is_empty(),
        "systemd-analyze verify: {}",
        String::from_utf8_lossy(&verify.stderr)
    );
    let security = Command::new("systemd-analyze")
        .args(["security", "--offline=yes", "--threshold=20"])
        .arg(&unit)
        .output()
        .unwrap();
    assert!(
        security.status.success(),
        "exposure above 2.0:\n{}",
        String::from_utf8_lossy(&security.stdout)
    );
}

#[test]
fn the_container_file_builds_every_workspace_member_and_starts_pimlicod_correctly() {
    let file = read("Containerfile");
    let workspace: toml::Table = std::fs::read_to_string(deploy().join("../Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let members = workspace["workspace"]["members"].as_array().unwrap();
    // Cargo needs every member present to load the workspace.
    for member in members {
        let member = member.as_str().unwrap();
        assert!(
            file.lines().any(|l| l == format!("COPY {member} {member}")),
            "deploy/Containerfile does not copy workspace member {member}"
        );
    }
    let json_args = |key: &str| -> Vec<String> {
        let line = file
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key} line"));
        serde_json::from_str(line.trim()).unwrap()
    };
    let entry = json_args("ENTRYPOINT ");
    assert_eq!(entry.last().unwrap(), "/usr/local/bin/pimlicod");
    let cmd = json_args("CMD ");
    check_build_context(&file);
    let args = Args::try_parse_from(std::iter::once("pimlicod".to_string()).chain(cmd)).unwrap();
    assert_eq!(
        args.config.as_deref(),
        Some(Path::new("/etc/pimlico/pimlicod.toml"))
    );
}

/// Copies what the build stage copies into an empty directory and asks cargo to load the
/// workspace there with the lock file as it is (`--locked`, `--offline`): a member or file the
/// container build would miss, or a stale `Cargo.lock`, fails here instead of in `docker build`.
fn check_build_context(file: &str) {
    let root = deploy().join("..");
    let build_stage = file
        .split("\nFROM ")
        .nth(1)
        .expect("a build stage after the first FROM");
    let context = tempfile::tempdir().unwrap();
    for line in build_stage.lines() {
        let Some(rest) = line.strip_prefix("COPY ") else {
            continue;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        let (sources, dest) = words.split_at(words.len() - 1);
        for source in sources {
            let status = Command::new("cp")
                .arg("-r")
                .arg(root.join(source))
                .arg(context.path().join(dest[0]))
                .status()
                .unwrap();
            assert!(status.success(), "copying {source}");
        }
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--locked", "--offline", "--format-version", "1"])
        .current_dir(context.path())
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the container's build context is not a loadable workspace: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
