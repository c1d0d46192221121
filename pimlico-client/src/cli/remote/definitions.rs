//! Comparing module definitions before moving data: the data a module produced only makes
//! sense where the module (and everything it depends on) is defined the same way.

use pimlico_core::transfer::compare_definitions;
use pimlico_proto::DefinitionResponse;

/// `Ok` when the definitions agree; otherwise the message naming every difference.
pub(super) fn check(
    module: &str,
    first: (&str, &DefinitionResponse),
    second: (&str, &DefinitionResponse),
) -> Result<(), String> {
    let diffs = compare_definitions(first.1, second.1);
    if diffs.is_empty() {
        return Ok(());
    }
    let mut message = format!(
        "module '{module}' is defined differently on {} and {}:",
        first.0, second.0
    );
    for d in &diffs {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".into());
        message.push_str(&format!(
            "\n  module '{}', {}: {} on {}, {} on {}",
            d.module,
            d.what,
            show(&d.here),
            first.0,
            show(&d.there),
            second.0
        ));
    }
    message.push_str("\nNothing was moved. Use --ignore-definition-mismatch to move it anyway.");
    Err(message)
}
