//! Property tests of the archive reader, the short version of the `extract_archive` fuzz target
//! (`fuzz/`): arbitrary bytes, and the table's valid archive with bytes flipped, blocks
//! inserted or the stream cut, go through extraction and through the transfer receiver (which
//! counts the tar stream on its own). Neither ever panics; a refusal leaves the staging area
//! empty and the existing module and everything outside the store as they were.

mod archive_support;

use archive_support::Sandbox;
use pimlico_core::archive::{ExtractLimits, ExtractOptions, extract_into_staging};
use pimlico_core::transfer::{ReceiveOptions, receive};
use pimlico_tests::hostile::{Target, cases, valid_archive};
use proptest::prelude::*;

fn limits() -> ExtractLimits {
    ExtractLimits {
        max_total_bytes: 4 << 20,
        max_entry_bytes: 1 << 20,
        max_entries: 200,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Extracts and receives `bytes` into a fresh sandbox; checks that a refusal changed nothing.
async fn try_both(bytes: Vec<u8>) {
    let sandbox = Sandbox::new();
    let before = sandbox.everything();
    let options = ExtractOptions {
        limits: limits(),
        expected_module: Some("m".into()),
    };
    match extract_into_staging(&sandbox.staging(), &bytes[..], &options).await {
        Ok(staged) => assert!(staged.dir.starts_with(sandbox.staging().root())),
        Err(e) => {
            assert!(!e.to_string().is_empty());
            assert_eq!(sandbox.everything(), before, "{e}");
        }
    }
    let staging = sandbox.staging().root().to_path_buf();
    let leftovers = std::fs::read_dir(&staging).map(|d| d.count()).unwrap_or(0);
    assert_eq!(leftovers, 0, "a staging slot outlived its extraction");

    let receive_options = ReceiveOptions {
        variant_roots: vec![sandbox.variant_root.clone()],
        pipeline: "runp".into(),
        variant: "main".into(),
        module: "m".into(),
        overwrite: true,
        limits: limits(),
        resume_max_age: pimlico_core::archive::DEFAULT_RESUMABLE_MAX_AGE,
    };
    if let Err(e) = receive(std::io::Cursor::new(bytes), &receive_options, None).await {
        assert!(!e.to_string().is_empty());
        assert_eq!(sandbox.everything(), before, "{e}");
    }
}

fn target() -> Target<'static> {
    Target {
        pipeline: "runp",
        variant: "main",
        module: "m",
        outside: std::path::Path::new("/nonexistent-outside"),
    }
}

/// The valid archive of the table, for module `m` of pipeline `runp`.
fn valid() -> Vec<u8> {
    valid_archive(&target())
}

/// A hostile case of the table, by index (the table is built once).
fn hostile(index: usize) -> Vec<u8> {
    static TABLE: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| cases(&target()).into_iter().map(|c| c.archive).collect());
    table[index % table.len()].clone()
}

/// Cases per property: a few seconds in all.
const CASES: u32 = 128;

#[test]
fn the_reliability_doc_states_the_cases() {
    pimlico_tests::assert_reliability_doc_says(&[format!(
        "{CASES} cases per property, 4 properties"
    )]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        runtime().block_on(try_both(bytes));
    }

    #[test]
    fn flipped_bytes(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut bytes = valid();
        let n = bytes.len();
        for (at, value) in flips {
            bytes[at % n] = value;
        }
        runtime().block_on(try_both(bytes));
    }

    #[test]
    fn cut_or_grown(cut in any::<usize>(), block in proptest::collection::vec(any::<u8>(), 512), at in any::<usize>()) {
        let whole = valid();
        runtime().block_on(try_both(whole[..cut % whole.len()].to_vec()));
        let mut grown = whole.clone();
        let at = (at % (whole.len() / 512)) * 512;
        grown.splice(at..at, block);
        runtime().block_on(try_both(grown));
    }

    #[test]
    fn mutated_hostile_cases(index in any::<usize>(), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4)) {
        let mut bytes = hostile(index);
        let n = bytes.len().max(1);
        for (at, value) in flips {
            if let Some(b) = bytes.get_mut(at % n) {
                *b = value;
            }
        }
        runtime().block_on(try_both(bytes));
    }
}
