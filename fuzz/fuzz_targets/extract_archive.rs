//! Feeds arbitrary bytes to the archive reader, as `pimlico load` and a daemon's upload read a
//! dump: through extraction into a staging slot and through the transfer receiver. Neither may
//! panic; a refused archive must leave the staging area empty and the existing module as it was.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pimlico_core::archive::{ExtractLimits, ExtractOptions, Staging, extract_into_staging};
use pimlico_core::transfer::{ReceiveOptions, receive};

struct Setup {
    _dir: tempfile::TempDir,
    variant_root: PathBuf,
    runtime: tokio::runtime::Runtime,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let variant_root = dir.path().join("store/runp/main");
        std::fs::create_dir_all(variant_root.join("m")).expect("module directory");
        std::fs::write(variant_root.join("m/metadata"), "OLD").expect("module data");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        Setup {
            _dir: dir,
            variant_root,
            runtime,
        }
    })
}

/// Small limits, so that a bomb costs the fuzzer nothing.
fn limits() -> ExtractLimits {
    ExtractLimits {
        max_total_bytes: 4 << 20,
        max_entry_bytes: 1 << 20,
        max_entries: 200,
    }
}

fn staging_is_empty(variant_root: &Path) -> bool {
    std::fs::read_dir(variant_root.join(".pimlico-staging"))
        .map(|mut d| d.next().is_none())
        .unwrap_or(true)
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    s.runtime.block_on(async {
        let staging = Staging::new(&s.variant_root);
        let options = ExtractOptions {
            limits: limits(),
            expected_module: Some("m".into()),
        };
        match extract_into_staging(&staging, data, &options).await {
            Ok(staged) => drop(staged),
            Err(e) => {
                let _ = e.to_string();
            }
        }
        assert!(staging_is_empty(&s.variant_root), "a slot outlived its extraction");

        let receive_options = ReceiveOptions {
            variant_roots: vec![s.variant_root.clone()],
            pipeline: "runp".into(),
            variant: "main".into(),
            module: "m".into(),
            overwrite: true,
            limits: limits(),
            resume_max_age: pimlico_core::archive::DEFAULT_RESUMABLE_MAX_AGE,
        };
        let accepted = receive(std::io::Cursor::new(data.to_vec()), &receive_options, None).await;
        assert!(staging_is_empty(&s.variant_root), "a slot outlived a refused transfer");
        if accepted.is_err() {
            assert_eq!(
                std::fs::read(s.variant_root.join("m/metadata")).ok().as_deref(),
                Some(&b"OLD"[..]),
                "a refused transfer changed the module"
            );
        } else {
            // Put the old module back for the next input.
            let _ = std::fs::remove_dir_all(s.variant_root.join("m"));
            std::fs::create_dir_all(s.variant_root.join("m")).expect("module directory");
            std::fs::write(s.variant_root.join("m/metadata"), "OLD").expect("module data");
        }
    });
});
