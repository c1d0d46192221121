//! Shared helpers for the archive tests: trees with nasty names, manifests to compare trees,
//! raw tar members for hostile archives, and running Python.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs::{self, File, FileTimes, Permissions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

use pimlico_core::archive::{
    ArchiveError, DumpMetadata, DumpOptions, ExtractOptions, Staging, extract_into_staging,
    write_dump,
};

/// What we compare about a tree: per relative path, kind, permission bits, mtime (seconds) and
/// file contents.
pub type Manifest = BTreeMap<String, (char, u32, i64, Vec<u8>)>;

pub fn manifest(root: &Path) -> Manifest {
    let mut out = Manifest::new();
    collect(root, root, &mut out);
    out
}

fn collect(root: &Path, path: &Path, out: &mut Manifest) {
    let meta = fs::symlink_metadata(path).unwrap();
    let rel = path
        .strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let kind = if meta.is_dir() {
        'd'
    } else if meta.file_type().is_symlink() {
        'l'
    } else {
        'f'
    };
    let contents = if kind == 'f' {
        fs::read(path).unwrap()
    } else {
        Vec::new()
    };
    out.insert(rel, (kind, meta.mode() & 0o7777, meta.mtime(), contents));
    if kind == 'd' {
        for entry in fs::read_dir(path).unwrap() {
            collect(root, &entry.unwrap().path(), out);
        }
    }
}

/// [`manifest`] without anything below `.pimlico-staging`, and without the mtime of the
/// directory holding it (creating the staging area touches it).
pub fn data_manifest(root: &Path) -> Manifest {
    let mut all = manifest(root);
    let parents: Vec<String> = all
        .keys()
        .filter_map(|rel| rel.strip_suffix("/.pimlico-staging").map(str::to_owned))
        .collect();
    all.retain(|rel, _| !rel.contains(".pimlico-staging"));
    for parent in parents {
        if let Some(entry) = all.get_mut(&parent) {
            entry.2 = 0;
        }
    }
    all
}

pub fn set_mtime(path: &Path, secs: u64) {
    let time = UNIX_EPOCH + Duration::from_secs(secs);
    let file = File::open(path).unwrap();
    file.set_times(FileTimes::new().set_modified(time).set_accessed(time))
        .unwrap();
}

pub fn write_file(path: &Path, contents: &[u8], mode: u32, mtime: u64) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
    fs::set_permissions(path, Permissions::from_mode(mode)).unwrap();
    set_mtime(path, mtime);
}

/// A module directory with the names and shapes that break naive archivers.
pub fn nasty_module(dir: &Path) {
    let long = "l".repeat(120);
    let deep: PathBuf = (0..30).map(|i| format!("d{i}")).collect();
    write_file(&dir.join("with space.txt"), b"space", 0o644, 1_600_000_000);
    write_file(&dir.join("new\nline"), b"newline", 0o640, 1_600_000_001);
    write_file(
        &dir.join("unicode-é-😀-漢字.data"),
        "ü".repeat(1000).as_bytes(),
        0o600,
        1_600_000_002,
    );
    write_file(
        &dir.join(format!("{long}.txt")),
        b"long name",
        0o644,
        1_600_000_003,
    );
    write_file(
        &dir.join(format!("{}/{long}/inner", "x".repeat(90))),
        b"long path",
        0o644,
        1_600_000_004,
    );
    write_file(
        &dir.join(&deep).join("bottom.txt"),
        b"deep",
        0o644,
        1_600_000_005,
    );
    write_file(&dir.join("empty"), b"", 0o644, 1_600_000_006);
    write_file(
        &dir.join("run.sh"),
        b"#!/bin/sh\necho hi\n",
        0o755,
        1_600_000_007,
    );
    write_file(
        &dir.join("corpus/data/archive-0.prc"),
        &pseudo_random(300_000, 7),
        0o644,
        1_600_000_008,
    );
    write_file(
        &dir.join("corpus/corpus_metadata"),
        br#"{"length": 2}"#,
        0o644,
        1_600_000_009,
    );
    write_file(
        &dir.join("metadata"),
        br#"{"status": "COMPLETE"}"#,
        0o644,
        1_600_000_010,
    );
    fs::create_dir_all(dir.join("empty dir")).unwrap();
    fs::create_dir_all(dir.join("ro-dir")).unwrap();
    write_file(
        &dir.join("ro-dir/file"),
        b"in a read-only dir",
        0o444,
        1_600_000_011,
    );
    fs::set_permissions(dir.join("ro-dir"), Permissions::from_mode(0o555)).unwrap();
    // Directory mtimes last: creating children changes them.
    let mut dirs: Vec<PathBuf> = Vec::new();
    walk_dirs(dir, &mut dirs);
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for (i, d) in dirs.iter().enumerate() {
        set_mtime(d, 1_500_000_000 + i as u64);
    }
}

fn walk_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    out.push(dir.to_path_buf());
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            walk_dirs(&entry.path(), out);
        }
    }
}

/// Deterministic bytes that do not compress.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

pub fn meta(module: &str) -> DumpMetadata {
    DumpMetadata {
        pipeline_name: "runp".into(),
        module_name: module.into(),
        dumped: "2026-01-02 03:04:05".into(),
        hostname: "testhost".into(),
        variant: "main".into(),
    }
}

/// Dumps a module directory into memory.
pub async fn dump_to_vec(module_dir: &Path, module: &str, options: &DumpOptions) -> Vec<u8> {
    let mut out = Vec::new();
    write_dump(module_dir, &meta(module), options, &mut out)
        .await
        .unwrap();
    out
}

/// A sandbox: `<tmp>/store/runp/main` as variant root, with an existing module `m` and a file
/// outside the store that an escaping archive would hit.
pub struct Sandbox {
    pub tmp: tempfile::TempDir,
    pub variant_root: PathBuf,
}

impl Sandbox {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let variant_root = tmp.path().join("store/runp/main");
        write_file(
            &variant_root.join("m/metadata"),
            b"OLD DATA",
            0o644,
            1_400_000_000,
        );
        write_file(
            &variant_root.join("m/corpus/data/a"),
            b"old a",
            0o644,
            1_400_000_000,
        );
        write_file(
            &tmp.path().join("outside/victim"),
            b"victim",
            0o644,
            1_400_000_000,
        );
        fs::create_dir_all(variant_root.join(".pimlico-staging")).unwrap();
        Sandbox { tmp, variant_root }
    }

    pub fn staging(&self) -> Staging {
        Staging::new(&self.variant_root)
    }

    pub fn everything(&self) -> Manifest {
        data_manifest(self.tmp.path())
    }

    /// Extracts `archive` expecting a rejection; checks nothing was written anywhere (the
    /// staging area is left empty) and returns the error message.
    pub async fn expect_rejected(&self, archive: Vec<u8>, options: &ExtractOptions) -> String {
        let before = self.everything();
        let result = extract_into_staging(&self.staging(), &archive[..], options).await;
        let err: ArchiveError = match result {
            Ok(staged) => panic!("archive accepted: {:?}", staged.summary),
            Err(e) => e,
        };
        assert_eq!(self.everything(), before, "something was written: {err}");
        let staging_root = self.staging().root().to_path_buf();
        if staging_root.exists() {
            let left: Vec<_> = fs::read_dir(&staging_root).unwrap().collect();
            assert!(left.is_empty(), "staging not cleaned after {err}: {left:?}");
        }
        err.to_string()
    }
}

// ---- raw tar members --------------------------------------------------------------------

/// One 512-byte ustar header.
pub fn header(name: &[u8], typeflag: u8, size: u64, linkname: &[u8]) -> Vec<u8> {
    let mut h = vec![0u8; 512];
    h[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
    let mode: &[u8] = if typeflag == b'5' {
        b"0000755\0"
    } else {
        b"0000644\0"
    };
    h[100..108].copy_from_slice(mode);
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(format!("{:011o}\0", 1_600_000_000u64).as_bytes());
    h[156] = typeflag;
    h[157..157 + linkname.len()].copy_from_slice(linkname);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

fn padded(mut data: Vec<u8>) -> Vec<u8> {
    let rem = data.len() % 512;
    if rem != 0 {
        data.resize(data.len() + 512 - rem, 0);
    }
    data
}

/// A member with data.
pub fn member(name: &str, typeflag: u8, data: &[u8]) -> Vec<u8> {
    raw_member(name.as_bytes(), typeflag, data, b"")
}

pub fn raw_member(name: &[u8], typeflag: u8, data: &[u8], linkname: &[u8]) -> Vec<u8> {
    let mut out = header(name, typeflag, data.len() as u64, linkname);
    out.extend(padded(data.to_vec()));
    out
}

/// A member with a GNU (not ustar) header, as GNU tar writes for GNU extensions.
pub fn gnu_member(name: &[u8], typeflag: u8, data: &[u8]) -> Vec<u8> {
    let mut out = raw_member(name, typeflag, data, b"");
    out[257..265].copy_from_slice(b"ustar  \0");
    // GNU "realsize" (used by sparse members).
    out[483..495].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
    out[148..156].copy_from_slice(b"        ");
    let sum: u32 = out[..512].iter().map(|&b| u32::from(b)).sum();
    out[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    out
}

pub fn file(name: &str, data: &[u8]) -> Vec<u8> {
    member(name, b'0', data)
}

pub fn dir(name: &str) -> Vec<u8> {
    member(name, b'5', b"")
}

/// A local PAX header member with the given records.
pub fn pax(records: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (key, value) in records {
        // "<len> <key>=<value>\n" where len counts itself.
        let rest = key.len() + value.len() + 3;
        let mut len = rest + 1;
        while len.to_string().len() + rest != len {
            len += 1;
        }
        body.extend_from_slice(format!("{len} {key}=").as_bytes());
        body.extend_from_slice(value);
        body.push(b'\n');
    }
    member("PaxHeader", b'x', &body)
}

/// A GNU long-name member for the next entry.
pub fn gnu_long_name(name: &[u8]) -> Vec<u8> {
    let mut data = name.to_vec();
    data.push(0);
    raw_member(b"././@LongLink", b'L', &data, b"")
}

pub fn end() -> Vec<u8> {
    vec![0u8; 1024]
}

pub fn metadata_member(module: &str) -> Vec<u8> {
    file("dump_metadata.json", meta(module).to_json().as_bytes())
}

/// metadata + the given members + end blocks.
pub fn tar(members: &[Vec<u8>]) -> Vec<u8> {
    let mut out = metadata_member("m");
    for m in members {
        out.extend_from_slice(m);
    }
    out.extend(end());
    out
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

// ---- Python --------------------------------------------------------------------------------

/// Runs `python3 -c script args...` and returns its stdout; panics with stderr on failure.
pub fn python(interpreter: &str, script: &str, args: &[&Path]) -> String {
    let output = Command::new(interpreter)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {interpreter}: {e}"));
    assert!(
        output.status.success(),
        "{interpreter} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}
