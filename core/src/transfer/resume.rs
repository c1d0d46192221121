//! How long resumable staging slots are kept: the daemon's `resume_max_age_hours` setting, or
//! the local config's `resume_max_age_hours`, or a week.

use std::time::Duration;

use pimlico_config::Pipeline;

use crate::archive::DEFAULT_RESUMABLE_MAX_AGE;

/// The setting's name, in the local config and in `pimlicod.toml`.
pub const RESUME_MAX_AGE_KEY: &str = "resume_max_age_hours";

/// Parses a number of hours (`168`, `0.5`, `0`).
pub fn parse_max_age_hours(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && *h >= 0.0)
        .map(|h| Duration::from_secs_f64(h * 3600.0))
        .ok_or_else(|| {
            format!(
                "invalid {RESUME_MAX_AGE_KEY} '{text}': expected a number of hours, for example \
                 168 (a week) or 0.5"
            )
        })
}

/// The maximum age from the pipeline's local config, or the default (a week).
pub fn resume_max_age(pipeline: &Pipeline) -> Result<Duration, String> {
    match pipeline.local.values.get(RESUME_MAX_AGE_KEY) {
        Some(text) => parse_max_age_hours(text).map_err(|e| format!("local config: {e}")),
        None => Ok(DEFAULT_RESUMABLE_MAX_AGE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_parse_and_nonsense_is_refused() {
        assert_eq!(parse_max_age_hours("2").unwrap(), Duration::from_secs(7200));
        assert_eq!(
            parse_max_age_hours(" 0.5 ").unwrap(),
            Duration::from_secs(1800)
        );
        assert_eq!(parse_max_age_hours("0").unwrap(), Duration::ZERO);
        for bad in ["-1", "a week", "", "inf", "NaN"] {
            assert!(parse_max_age_hours(bad).is_err(), "{bad}");
        }
    }
}
