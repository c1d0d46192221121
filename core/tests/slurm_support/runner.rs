//! A small test runner for a test binary built without the standard harness: the binary also
//! serves as the module process Slurm jobs run (`internal-exec`), like `pimlico` and
//! `pimlicod` do. Tests run side by side in threads (jobs wait on the cluster, not on the
//! CPU); the output follows libtest's, closing with its `test result:` line.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

/// A named test.
pub type Test = (&'static str, fn());

/// Runs the tests named by the command line's filters (all without one) and exits.
pub fn run(tests: &[Test], setup: impl Fn(&str) -> bool) -> ! {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let exact = args.iter().any(|a| a == "--exact");
    if args.iter().any(|a| a == "--list") {
        for (name, _) in tests {
            println!("{name}: test");
        }
        std::process::exit(0);
    }
    let selected: Vec<&Test> = tests
        .iter()
        .filter(|(name, _)| {
            filters.is_empty()
                || filters.iter().any(|f| {
                    if exact {
                        name == f
                    } else {
                        name.contains(f.as_str())
                    }
                })
        })
        .collect();
    let filtered = tests.len() - selected.len();
    let start = Instant::now();
    println!("\nrunning {} tests", selected.len());
    let mut ignored = 0;
    let mut passed = 0;
    let mut failed = Vec::new();
    if !selected.is_empty() && !setup("the Slurm cluster tests") {
        ignored = selected.len();
        for (name, _) in &selected {
            println!("test {name} ... ignored, Slurm is not usable here");
        }
    } else {
        let handles: Vec<_> = selected
            .iter()
            .map(|&&(name, test)| {
                let handle = std::thread::Builder::new()
                    .name(name.to_string())
                    .spawn(move || catch_unwind(AssertUnwindSafe(test)))
                    .expect("starting a test thread");
                (name, handle)
            })
            .collect();
        for (name, handle) in handles {
            let ok = matches!(handle.join(), Ok(Ok(())));
            println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
            if ok {
                passed += 1;
            } else {
                failed.push(name);
            }
        }
    }
    if !failed.is_empty() {
        println!("\nfailures:");
        for name in &failed {
            println!("    {name}");
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {} failed; {ignored} ignored; 0 measured; \
         {filtered} filtered out; finished in {:.2}s\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        failed.len(),
        start.elapsed().as_secs_f64()
    );
    std::process::exit(if failed.is_empty() { 0 } else { 101 })
}
