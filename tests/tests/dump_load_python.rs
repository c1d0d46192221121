//! Dumps cross between us and the original Pimlico: a dump written with Python's `tarfile` the
//! way the original's `dump` writes it loads here, and our dump loads with Python's `tarfile`
//! the way the original's `load` reads it.

mod dump_load_support;

use dump_load_support::{python, run_on, snapshot, two_servers};

/// The original's `dump` (cli/loaddump.py), with the tar format as a parameter: GNU is the
/// default of Python 3.7, which the original runs on; PAX that of later versions.
const PYTHON_DUMP: &str = r#"
import json, socket, sys, tarfile
from datetime import datetime
from io import BytesIO
module_dir, tarball_path, fmt = sys.argv[1], sys.argv[2], sys.argv[3]
with tarfile.open(tarball_path, mode="w:gz", format=getattr(tarfile, fmt)) as tarball:
    dump_meta = json.dumps({
        "pipeline_name": "demo",
        "module_name": "first",
        "dumped": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
        "hostname": socket.gethostname(),
        "variant": "main",
    }, indent=4)
    meta_info = tarfile.TarInfo("dump_metadata.json")
    meta_info.size = len(dump_meta)
    tarball.addfile(meta_info, BytesIO(dump_meta.encode("utf-8")))
    tarball.add(module_dir, arcname="first")
"#;

/// The original's `load` (cli/loaddump.py): check the metadata, extract the module's members
/// into the pipeline directory.
const PYTHON_LOAD: &str = r#"
import json, os, sys, tarfile
dump_path, pipeline_dir = sys.argv[1], sys.argv[2]
with tarfile.open(dump_path, mode="r:gz") as tarball:
    metadata_file = tarball.extractfile("dump_metadata.json")
    dump_meta = json.loads(metadata_file.read().decode("utf-8"))
    metadata_file.close()
    assert dump_meta["pipeline_name"] == "demo", dump_meta
    assert dump_meta.get("variant", "main") == "main", dump_meta
    assert dump_meta["module_name"] == "first", dump_meta
    assert tarball.getmembers()[0].name == "dump_metadata.json"
    module_name = dump_meta["module_name"]
    to_extract = [t for t in tarball.getmembers() if t.name.startswith("%s/" % module_name)]
    tarball.extractall(path=pipeline_dir, members=to_extract)
print("Data loaded")
"#;

#[test]
fn a_dump_written_by_python_tarfile_like_the_original_loads() {
    let ws = two_servers();
    run_on(&ws, "lc_a", &["first"]);
    let first_a = ws.join("serverA/demo/main/first");
    let first_b = ws.join("serverB_fast/demo/main/first");
    for (i, format) in ["GNU_FORMAT", "PAX_FORMAT"].into_iter().enumerate() {
        let file = ws.join(&format!("python-{format}.tar.gz"));
        python(
            PYTHON_DUMP,
            &[&first_a, &file, std::path::Path::new(format)],
        );
        let mut args = vec!["p.conf", "--lc", "lc_b", "load"];
        if i > 0 {
            args.push("-f");
        }
        let path = file.display().to_string();
        args.push(&path);
        let load = ws.pimlico(&args).expect_code(0);
        assert!(load.stdout().ends_with("Data loaded\n"), "{}", load.all());
        assert_eq!(snapshot(&first_b), snapshot(&first_a), "{format}");
    }
    // Server B runs the next module on it.
    run_on(&ws, "lc_b", &["second"]);
    assert_eq!(
        ws.read("serverB_fast/demo/main/second/output/data/upper.txt"),
        "HELLO WORLD\n"
    );
}

#[test]
fn our_dump_loads_with_python_tarfile_like_the_original() {
    let ws = two_servers();
    run_on(&ws, "lc_a", &["first"]);
    let first_a = ws.join("serverA/demo/main/first");
    ws.pimlico(&["p.conf", "--lc", "lc_a", "dump", "first", "-o", "d"])
        .expect_code(0);
    let pipeline_dir = ws.join("python-store/demo/main");
    std::fs::create_dir_all(&pipeline_dir).unwrap();
    let out = python(PYTHON_LOAD, &[&ws.join("d/first.tar.gz"), &pipeline_dir]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Data loaded\n");
    assert_eq!(snapshot(&pipeline_dir.join("first")), snapshot(&first_a));
}
