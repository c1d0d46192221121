//! The archive limits of `pimlicod.toml` apply to uploads and override the local config's; a
//! malformed limit stops the daemon before it listens. (The local config's limits are what the
//! hostile-archive tests in `tests/tests/reliability_hostile.rs` run with.)

mod fault_support;

use fault_support::{Site, dump, files, make_module};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pimlicod_toml_limits_override_the_local_config() {
    let site = Site::new(None);
    let local = std::fs::read_to_string(&site.local).unwrap();
    std::fs::write(&site.local, format!("{local}archive_max_entries=1000\n")).unwrap();
    let toml = site.dir.path().join("pimlicod.toml");
    std::fs::write(
        &toml,
        "archive_max_entries = 3\narchive_max_bytes = \"64M\"\n",
    )
    .unwrap();
    make_module(&site.module_dir("make"), 1000, 1);
    let before = files(&site.module_dir("make"));
    // make/, metadata, output/, output/data/, output/data/big.bin: five entries.
    let source = tempfile::tempdir().unwrap();
    make_module(source.path(), 1000, 2);
    let archive = dump(source.path()).await;

    let daemon = site
        .start_with(&["--config".as_ref(), toml.as_os_str()])
        .await;
    let err = daemon.upload_make(archive).await.unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("more than 3 entries") && message.contains("archive_max_entries"),
        "{message}"
    );
    assert_eq!(files(&site.module_dir("make")), before);
    daemon.kill9().await;

    // Without the settings file the local config's limit lets the same upload in.
    let daemon = site.start().await;
    let archive = dump(source.path()).await;
    daemon.upload_make(archive).await.unwrap();
    assert_eq!(files(&site.module_dir("make")), files(source.path()));
    daemon.kill9().await;
}

#[tokio::test]
async fn a_malformed_limit_stops_the_daemon() {
    let site = Site::new(None);
    let toml = site.dir.path().join("pimlicod.toml");
    std::fs::write(&toml, "archive_max_bytes = \"lots\"\n").unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_pimlicod"))
        .arg("--config")
        .arg(&toml)
        .arg("--listen=127.0.0.1:0")
        .arg("--pipeline")
        .arg(&site.config)
        .arg("--local-config")
        .arg(&site.local)
        .arg("--state-dir")
        .arg(site.dir.path().join("state"))
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid value \"lots\" for archive_max_bytes"),
        "{stderr}"
    );
}
