//! The committed completions and man pages match what clap generates from today's commands.

#[test]
fn completions_and_man_pages_are_up_to_date() {
    let problems = xtask::differences(&xtask::deploy_dir()).unwrap();
    assert!(
        problems.is_empty(),
        "generated files under deploy/ are stale; run `cargo xtask deploy-files`:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn every_command_has_a_man_page_and_every_shell_a_completion() {
    let files = xtask::generate().unwrap();
    let names: Vec<String> = files.keys().map(|p| p.display().to_string()).collect();
    for expected in [
        "man/pimlico.1",
        "man/pimlico-transfer.1",
        "man/pimlico-status.1",
        "man/pimlicod.1",
        "completions/pimlico.bash",
        "completions/_pimlico",
        "completions/pimlicod.fish",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let bash =
        String::from_utf8(files[std::path::Path::new("completions/pimlico.bash")].clone()).unwrap();
    assert!(bash.contains("--via-client"), "transfer options complete");
}
