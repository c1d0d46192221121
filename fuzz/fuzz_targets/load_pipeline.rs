//! Feeds arbitrary bytes to the pipeline loader as a config file (and as a file it may
//! include): it must return a pipeline or an error, never panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pimlico_config::{LoadOptions, LocalConfig, StoreRoot, load_pipeline};
use pimlico_modules::catalogue::PimlicoCatalogue;

struct Setup {
    _dir: tempfile::TempDir,
    main: PathBuf,
    include: PathBuf,
    catalogue: PimlicoCatalogue,
    local: LocalConfig,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        let local = LocalConfig {
            stores: vec![StoreRoot {
                name: "default".into(),
                root: dir.path().join("store"),
            }],
            ..LocalConfig::default()
        };
        Setup {
            main: dir.path().join("main.conf"),
            include: dir.path().join("inc.conf"),
            _dir: dir,
            catalogue: PimlicoCatalogue::new(),
            local,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    // The first part is the config; whatever follows a NUL byte is `inc.conf`.
    let (main, include) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    if std::fs::write(&s.main, main).is_err() || std::fs::write(&s.include, include).is_err() {
        return;
    }
    for variant in ["main", "x"] {
        let result = load_pipeline(
            &s.main,
            LoadOptions {
                variant,
                local: s.local.clone(),
                resolver: &s.catalogue,
            },
        );
        if let Err(e) = result {
            let _ = e.to_string();
        }
    }
});
