//! The real `pimlicod` binary under a `NOTIFY_SOCKET`, as systemd starts a `Type=notify` unit:
//! `READY=1` arrives only once the address is bound (the port file is there and the health
//! endpoint answers), and `STOPPING=1` when SIGTERM starts the shutdown.

mod common;

use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use pimlico_client::remote::{Client, ServerSpec};

/// Receives one datagram, failing the test after a generous timeout instead of hanging.
fn receive(socket: &UnixDatagram) -> String {
    socket
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut buf = [0u8; 512];
    let n = socket
        .recv(&mut buf)
        .expect("no notification from pimlicod");
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

fn write_pipeline(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let config = dir.join("p.conf");
    std::fs::write(&config, common::PIPELINE).unwrap();
    let local = dir.join("local.conf");
    std::fs::write(&local, format!("store={}\n", dir.join("store").display())).unwrap();
    (config, local)
}

#[test]
fn ready_after_binding_and_stopping_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (config, local) = write_pipeline(dir.path());
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    let port_file = dir.path().join("port");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pimlicod"))
        .args(["--listen", "127.0.0.1:0", "--pipeline"])
        .arg(&config)
        .arg("--local-config")
        .arg(&local)
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .arg("--port-file")
        .arg(&port_file)
        .env("NOTIFY_SOCKET", &socket_path)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    let ready = receive(&socket);
    let address = std::fs::read_to_string(&port_file).expect("port file written before READY");
    assert_eq!(
        ready,
        format!("READY=1\nSTATUS=listening on http://{address}\n")
    );
    let client = Client::new(&ServerSpec::url(format!("http://{address}"), None)).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let health = runtime.block_on(client.health()).unwrap();
    assert_eq!(health.status, "ok");

    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    assert_eq!(receive(&socket), "STOPPING=1\nSTATUS=shutting down\n");
    assert!(child.wait().unwrap().success());
}

#[test]
fn an_unusable_notify_socket_stops_the_start_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let (config, local) = write_pipeline(dir.path());
    let output = Command::new(env!("CARGO_BIN_EXE_pimlicod"))
        .args(["--listen", "127.0.0.1:0", "--pipeline"])
        .arg(&config)
        .arg("--local-config")
        .arg(&local)
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .env("NOTIFY_SOCKET", "relative/notify.sock")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unusable NOTIFY_SOCKET=\"relative/notify.sock\""),
        "{stderr}"
    );
}
