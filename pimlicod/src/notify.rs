//! Readiness notification for systemd (`Type=notify`), the `sd_notify` protocol in safe Rust.
//!
//! systemd passes a datagram socket in `NOTIFY_SOCKET`: a path, or `@name` for a socket in the
//! abstract namespace. The daemon sends `READY=1` once its listener is bound (connections
//! made from then on queue in the backlog, so "ready" is never early) and `STOPPING=1` when a
//! shutdown begins. Without `NOTIFY_SOCKET` nothing is sent, so the same binary runs anywhere.
//!
//! The variable is left in the environment (removing it needs `unsafe` in Rust 2024), so
//! module processes inherit it; systemd ignores them because the unit says `NotifyAccess=main`.

use std::ffi::OsStr;
use std::io;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::path::Path;

/// The environment variable systemd sets for `Type=notify` services.
pub const NOTIFY_SOCKET: &str = "NOTIFY_SOCKET";

/// Where to send notifications, if anywhere.
#[derive(Debug)]
pub struct Notifier {
    target: Option<SocketAddr>,
}

/// `NOTIFY_SOCKET` holds something we cannot send to.
#[derive(Debug, thiserror::Error)]
#[error("unusable {NOTIFY_SOCKET}={value:?}: {reason}")]
pub struct NotifyError {
    value: String,
    reason: String,
}

impl Notifier {
    /// Reads `NOTIFY_SOCKET` from the environment.
    pub fn from_env() -> Result<Self, NotifyError> {
        Self::new(std::env::var_os(NOTIFY_SOCKET).as_deref())
    }

    /// A notifier for the given value of `NOTIFY_SOCKET` (`None` or empty: notify nobody).
    pub fn new(value: Option<&OsStr>) -> Result<Self, NotifyError> {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            return Ok(Self { target: None });
        };
        let error = |reason: &str| NotifyError {
            value: value.to_string_lossy().into_owned(),
            reason: reason.to_string(),
        };
        let bytes = value.as_encoded_bytes();
        let target = match bytes.first() {
            Some(b'/') => {
                SocketAddr::from_pathname(Path::new(value)).map_err(|e| error(&e.to_string()))?
            }
            Some(b'@') => abstract_address(&bytes[1..]).map_err(|e| error(&e.to_string()))?,
            _ => {
                return Err(error(
                    "expected an absolute socket path or @name (other kinds, such as vsock, \
                     are not supported)",
                ));
            }
        };
        Ok(Self {
            target: Some(target),
        })
    }

    /// Whether anyone is listening.
    pub fn enabled(&self) -> bool {
        self.target.is_some()
    }

    /// Tells systemd the daemon is ready, with a status line for `systemctl status`.
    pub fn ready(&self, status: &str) -> io::Result<()> {
        self.send(&format!("READY=1\nSTATUS={}\n", one_line(status)))
    }

    /// Tells systemd a shutdown has begun.
    pub fn stopping(&self) -> io::Result<()> {
        self.send("STOPPING=1\nSTATUS=shutting down\n")
    }

    fn send(&self, message: &str) -> io::Result<()> {
        let Some(target) = &self.target else {
            return Ok(());
        };
        let socket = UnixDatagram::unbound()?;
        let sent = socket.send_to_addr(message.as_bytes(), target)?;
        if sent != message.len() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "the notification was truncated",
            ));
        }
        Ok(())
    }
}

/// The protocol is line-based: a status must not smuggle in other assignments.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn abstract_address(name: &[u8]) -> io::Result<SocketAddr> {
    #[cfg(target_os = "android")]
    use std::os::android::net::SocketAddrExt;
    #[cfg(target_os = "linux")]
    use std::os::linux::net::SocketAddrExt;
    SocketAddr::from_abstract_name(name)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn abstract_address(_name: &[u8]) -> io::Result<SocketAddr> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "abstract sockets exist only on Linux",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_or_empty_means_nobody_is_told() {
        assert!(!Notifier::new(None).unwrap().enabled());
        assert!(!Notifier::new(Some(OsStr::new(""))).unwrap().enabled());
        Notifier::new(None).unwrap().ready("x").unwrap();
    }

    #[test]
    fn relative_paths_and_other_schemes_are_refused() {
        for bad in ["run/notify", "vsock:2:1234"] {
            let err = Notifier::new(Some(OsStr::new(bad))).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn messages_reach_a_path_socket_one_datagram_each() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        let notifier = Notifier::new(Some(path.as_os_str())).unwrap();
        notifier.ready("listening on\nhttp://x").unwrap();
        notifier.stopping().unwrap();
        let mut buf = [0u8; 256];
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1\nSTATUS=listening on http://x\n");
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"STOPPING=1\nSTATUS=shutting down\n");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn abstract_sockets_are_named_with_an_at_sign() {
        use std::os::linux::net::SocketAddrExt;
        let name = format!("pimlicod-notify-test-{}", std::process::id());
        let listener =
            UnixDatagram::bind_addr(&SocketAddr::from_abstract_name(name.as_bytes()).unwrap())
                .unwrap();
        let notifier = Notifier::new(Some(OsStr::new(&format!("@{name}")))).unwrap();
        notifier.ready("ok").unwrap();
        let mut buf = [0u8; 64];
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1\nSTATUS=ok\n");
    }

    #[test]
    fn nobody_listening_is_an_error_the_caller_can_log() {
        let dir = tempfile::tempdir().unwrap();
        let notifier = Notifier::new(Some(dir.path().join("gone").as_os_str())).unwrap();
        assert!(notifier.ready("x").is_err());
    }
}
