//! Support for the verified-transfer tests: module data written straight into a daemon's
//! store, and a real TCP relay between two parties that can flip a byte of the data or drop
//! the connection part-way.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Writes module `name` under `root` (`<store>/demo/main`): `n` files of `size` bytes under
/// `bulk/` (contents depend on `seed` and the file number), an empty directory, and a status
/// `metadata` saying COMPLETE. File `special` (if any) is filled with [`MARKER`] instead.
pub fn write_module(root: &Path, name: &str, n: usize, size: usize, special: Option<usize>) {
    let dir = root.join(name);
    std::fs::create_dir_all(dir.join("bulk")).unwrap();
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    for i in 0..n {
        let body = if Some(i) == special {
            MARKER.repeat(size / MARKER.len() + 1)[..size].to_vec()
        } else {
            pseudo_random(size, i as u64)
        };
        std::fs::write(dir.join(file_name(i)), body).unwrap();
    }
    std::fs::write(
        dir.join("metadata"),
        r#"{"status": "COMPLETE", "last_run": "2026-01-01 00:00:00"}"#,
    )
    .unwrap();
}

/// The path of file `i` in a module written by [`write_module`].
pub fn file_name(i: usize) -> String {
    format!("bulk/f{i:04}")
}

/// Content that cannot be compressed (and differs for each seed).
pub fn pseudo_random(size: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..size)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// What a relay does to the data flowing back from the server.
#[derive(Debug, Clone)]
pub enum Tamper {
    /// Nothing.
    Pass,
    /// Flips one byte of the first occurrence of `MARKER` seen whole in one read.
    FlipMarker,
    /// Drops every connection of the relay once this many bytes came back through it (in
    /// total, over all connections).
    DropAfter(u64),
    /// Stops forwarding (keeping the connections open) once this many bytes came back.
    PauseAfter(u64),
}

/// Filler of the file a [`Tamper::FlipMarker`] relay damages (never in a manifest or header).
pub const MARKER: &[u8] = b"<<flip-me-please>>";

/// A relay listening on `127.0.0.1:0` that forwards every connection to `target` (`host:port`).
pub struct Relay {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The tampering happened (a byte was flipped, or connections were dropped).
    pub fired: Arc<AtomicBool>,
}

impl Relay {
    /// Starts a relay to the daemon at `target_url` (`http://host:port`).
    pub async fn start(target_url: &str, tamper: Tamper) -> Self {
        let target = target_url.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let fired = Arc::new(AtomicBool::new(false));
        let returned = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let state = (fired.clone(), returned);
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = match TcpStream::connect(&target).await {
                    Ok(s) => s,
                    Err(_) => continue,
                };
                let (fired, returned) = (state.0.clone(), state.1.clone());
                let tamper = tamper.clone();
                tokio::spawn(async move {
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    let upstream = tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut cr, &mut sw).await;
                        let _ = sw.shutdown().await;
                    });
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        if matches!(tamper, Tamper::DropAfter(_)) && fired.load(Ordering::SeqCst) {
                            break;
                        }
                        let n = match sr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        let chunk = &mut buf[..n];
                        match tamper {
                            Tamper::Pass => {}
                            Tamper::FlipMarker => {
                                if !fired.load(Ordering::SeqCst)
                                    && let Some(at) =
                                        chunk.windows(MARKER.len()).position(|w| w == MARKER)
                                {
                                    chunk[at + 3] ^= 0x20;
                                    fired.store(true, Ordering::SeqCst);
                                }
                            }
                            Tamper::DropAfter(limit) | Tamper::PauseAfter(limit) => {
                                let before = returned.fetch_add(n as u64, Ordering::SeqCst);
                                if before + n as u64 >= limit {
                                    let keep = (limit.saturating_sub(before)) as usize;
                                    let _ = cw.write_all(&chunk[..keep]).await;
                                    fired.store(true, Ordering::SeqCst);
                                    if matches!(tamper, Tamper::PauseAfter(_)) {
                                        // Hold the connection open, silent, until the test ends.
                                        std::future::pending::<()>().await;
                                    }
                                    break;
                                }
                            }
                        }
                        if cw.write_all(chunk).await.is_err() {
                            break;
                        }
                    }
                    // Dropping both halves closes the connection: the client sees it break.
                    upstream.abort();
                });
            }
        });
        Relay { url, fired }
    }
}
