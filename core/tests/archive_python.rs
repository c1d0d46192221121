//! Compatibility with the original toolkit: archives written the way its `dump` writes them (by
//! Python's `tarfile`) load with us, and ours load with `tarfile` the way its `load` reads them,
//! with GNU tar, and with the original `pimlico load` itself.

mod archive_support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use archive_support::*;
use pimlico_core::archive::{
    Compression, DumpOptions, ExtractOptions, Staging, dump_module_to_dir, extract_into_staging,
};

/// The original's dump, verbatim in behaviour: `w:gz`, metadata first with TarInfo defaults,
/// then `tarball.add(module_dir, arcname=module_name)`.
const PY_DUMP: &str = r#"
import io, json, sys, tarfile
out, module_dir, module = sys.argv[1], sys.argv[2], sys.argv[3]
with tarfile.open(out, mode="w:gz") as tarball:
    dump_meta = json.dumps({
        "pipeline_name": "runp",
        "module_name": module,
        "dumped": "2026-01-02 03:04:05",
        "hostname": "testhost",
        "variant": "main",
    }, indent=4)
    meta_info = tarfile.TarInfo("dump_metadata.json")
    meta_info.size = len(dump_meta)
    tarball.addfile(meta_info, io.BytesIO(dump_meta.encode("utf-8")))
    tarball.add(module_dir, arcname=module)
"#;

/// The original's load, minus the pipeline checks: read the metadata member, then extract the
/// members under `<module>/`.
const PY_LOAD: &str = r#"
import json, sys, tarfile
path, dest = sys.argv[1], sys.argv[2]
with tarfile.open(path, mode="r:gz") as tarball:
    metadata_file = tarball.extractfile("dump_metadata.json")
    dump_meta = json.loads(metadata_file.read().decode("utf-8"))
    module_name = dump_meta["module_name"]
    to_extract = [t for t in tarball.getmembers() if t.name.startswith("%s/" % module_name)]
    tarball.extractall(path=dest, members=to_extract)
print(json.dumps(dump_meta, indent=4), end="")
"#;

const PYTHON37: &str = "/work/orig/venv37/bin/python";
const ORIGINAL: &str = "/work/orig/pimlico";

fn without_root(mut m: Manifest) -> Manifest {
    m.remove("");
    m
}

async fn load_python_dump(interpreter: &str) {
    let src = tempfile::tempdir().unwrap();
    let module_dir = src.path().join("m");
    nasty_module(&module_dir);
    let expected = manifest(&module_dir);
    // The original dumps lock files too; we leave them out when loading.
    write_file(
        &module_dir.join(".execution_lock"),
        b"locked",
        0o644,
        1_600_000_000,
    );
    set_mtime(&module_dir, u64::try_from(expected[""].2).unwrap());
    let archive = src.path().join("m.tar.gz");
    python(
        interpreter,
        PY_DUMP,
        &[&archive, &module_dir, Path::new("m")],
    );

    let dst = tempfile::tempdir().unwrap();
    let file = tokio::fs::File::open(&archive).await.unwrap();
    let staged = extract_into_staging(&Staging::new(dst.path()), file, &ExtractOptions::default())
        .await
        .unwrap();
    assert_eq!(staged.metadata, meta("m"));
    assert_eq!(staged.summary.skipped, ["m/.execution_lock"]);
    assert_eq!(manifest(&staged.dir), expected);
}

#[tokio::test]
async fn archives_from_python3_tarfile_load() {
    // Python ≥ 3.8 writes PAX headers with fractional mtimes.
    load_python_dump("python3").await;
}

#[tokio::test]
async fn archives_from_the_originals_python_3_7_load() {
    // Python 3.7 (the original's environment) writes GNU long names.
    if !Path::new(PYTHON37).exists() {
        eprintln!("skipped: {PYTHON37} is not installed");
        return;
    }
    load_python_dump(PYTHON37).await;
}

async fn our_dump(module_dir: &Path, module: &str, out: &Path) -> PathBuf {
    let (path, _) = dump_module_to_dir(module_dir, out, &meta(module), &DumpOptions::default())
        .await
        .unwrap();
    path
}

#[tokio::test]
async fn python_tarfile_reads_our_dumps_like_the_original_load() {
    let src = tempfile::tempdir().unwrap();
    let module_dir = src.path().join("m");
    nasty_module(&module_dir);
    let archive = our_dump(&module_dir, "m", src.path()).await;
    for interpreter in ["python3", PYTHON37] {
        if !Path::new(interpreter).is_absolute() || Path::new(interpreter).exists() {
            let dst = tempfile::tempdir().unwrap();
            let printed = python(interpreter, PY_LOAD, &[&archive, dst.path()]);
            assert_eq!(printed, meta("m").to_json(), "{interpreter}");
            assert_eq!(
                without_root(manifest(&dst.path().join("m"))),
                without_root(manifest(&module_dir)),
                "{interpreter}"
            );
        }
    }
}

#[tokio::test]
async fn gnu_tar_reads_our_gzip_and_zstd_dumps() {
    let src = tempfile::tempdir().unwrap();
    let module_dir = src.path().join("m");
    nasty_module(&module_dir);
    for (compression, flag) in [
        (Compression::default(), "-xzf"),
        (Compression::Gzip { level: 1 }, "-xzf"),
        (Compression::Zstd { level: 3 }, "--zstd"),
        (Compression::None, "-xf"),
    ] {
        let out = tempfile::tempdir().unwrap();
        let options = DumpOptions {
            compression,
            ..DumpOptions::default()
        };
        let (archive, _) = dump_module_to_dir(&module_dir, out.path(), &meta("m"), &options)
            .await
            .unwrap();
        let dst = tempfile::tempdir().unwrap();
        let mut command = Command::new("tar");
        if flag == "--zstd" {
            command.args(["--zstd", "-xf"]);
        } else {
            command.arg(flag);
        }
        let status = command
            .arg(&archive)
            .arg("-C")
            .arg(dst.path())
            .status()
            .unwrap();
        assert!(
            status.success(),
            "tar {flag} failed on our {compression:?} dump"
        );
        assert_eq!(manifest(&dst.path().join("m")), manifest(&module_dir));
        assert_eq!(
            fs::read_to_string(dst.path().join("dump_metadata.json")).unwrap(),
            meta("m").to_json()
        );
    }
}

#[tokio::test]
async fn the_original_pimlico_load_command_loads_our_dump() {
    if !Path::new(ORIGINAL).exists() || !Path::new(PYTHON37).exists() {
        eprintln!("skipped: the original Pimlico is not installed at {ORIGINAL}");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let module_dir = work.path().join("src/store1");
    nasty_module(&module_dir);
    let archive = our_dump(&module_dir, "store1", work.path()).await;
    let conf = work.path().join("p.conf");
    fs::write(
        &conf,
        "[pipeline]\nname=runp\nrelease=latest\n\n[src]\ntype=pimlico.datatypes.corpora.GroupedCorpus\n\
         data_point_type=RawTextDocumentType\ndir=/nonexistent\n\n[store1]\n\
         type=pimlico.modules.corpora.store\n",
    )
    .unwrap();
    let store = work.path().join("store");
    let local_conf = work.path().join("local.conf");
    fs::write(&local_conf, format!("store={}\n", store.display())).unwrap();
    let output = Command::new(PYTHON37)
        .current_dir(ORIGINAL)
        .env("PYTHONPATH", "src/python")
        .args(["-m", "pimlico.cli.main"])
        .arg(&conf)
        .arg("--lc")
        .arg(&local_conf)
        .args(["load", "-f"])
        .arg(&archive)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("Data loaded"),
        "original load failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        without_root(manifest(&store.join("runp/main/store1"))),
        without_root(manifest(&module_dir))
    );
}
