//! The shared table of hostile archives (`pimlico_tests::hostile`) against the archive layer
//! itself: each is refused with its expected message, nothing is written outside the staging
//! area (which is empty again), and the existing module is byte-identical. The same table runs
//! against `pimlico load`, uploads and pulls in `tests/tests/reliability_hostile.rs`.

mod archive_support;

use archive_support::{Sandbox, data_manifest};
use pimlico_core::archive::{ExtractLimits, ExtractOptions, extract_into_staging};
use pimlico_tests::hostile::{TEST_LIMITS, Target, cases, valid_archive, valid_contents};

fn limits() -> ExtractLimits {
    ExtractLimits::default()
        .with_settings(|key| TEST_LIMITS.iter().find(|(k, _)| *k == key).map(|(_, v)| *v))
        .unwrap()
}

#[tokio::test]
async fn every_hostile_archive_is_refused_and_changes_nothing() {
    let sandbox = Sandbox::new();
    let outside = sandbox.tmp.path().join("outside");
    let target = Target {
        pipeline: "runp",
        variant: "main",
        module: "m",
        outside: &outside,
    };
    let options = ExtractOptions {
        limits: limits(),
        expected_module: Some("m".into()),
    };
    let table = cases(&target);
    assert!(table.len() >= 50, "the table has {} cases", table.len());
    for case in table.iter().filter(|c| !c.above_archive_layer) {
        let message = sandbox
            .expect_rejected(case.archive.clone(), &options)
            .await;
        for part in &case.expect {
            assert!(
                message.contains(part.as_str()),
                "case {}: {part:?} not in: {message}",
                case.name
            );
        }
    }

    // docs/reliability.md states these counts.
    let mut phrases: Vec<String> = Vec::new();
    let mut categories: Vec<&str> = table.iter().map(|c| c.category).collect();
    categories.sort_unstable();
    categories.dedup();
    for category in categories {
        let n = table.iter().filter(|c| c.category == category).count();
        phrases.push(format!("| `{category}` | {n} |"));
    }
    let below = table.iter().filter(|c| !c.above_archive_layer).count();
    phrases.push(format!("| **all** | **{}** |", table.len()));
    phrases.push(format!(
        "**{} hostile archives are tried** ({} at each of four entry points)",
        4 * table.len(),
        table.len()
    ));
    phrases.push(format!("The archive layer refuses {below} of them itself"));
    let limits: Vec<String> = TEST_LIMITS
        .iter()
        .map(|(k, v)| format!("`{k}={v}`"))
        .collect();
    phrases.push(format!(
        "The table runs with {}, {} and {}",
        limits[0], limits[1], limits[2]
    ));
    pimlico_tests::assert_reliability_doc_says(&phrases);

    // The valid archive of the table is accepted, so the refusals above come from the cases.
    let staged = extract_into_staging(&sandbox.staging(), &valid_archive(&target)[..], &options)
        .await
        .unwrap();
    let got = data_manifest(&staged.dir);
    for (rel, data) in valid_contents() {
        assert_eq!(got[rel].3, data, "{rel}");
    }
}
