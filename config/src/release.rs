//! `[pipeline] release`: which Pimlico release a config was written for.

/// The Pimlico release whose config language this crate implements; `release=latest` means
/// this version.
pub const PIMLICO_RELEASE: &str = "0.9.25";

fn later_minor(release: &str, major: i64) -> String {
    format!(
        "config file was written for a later (minor) version of Pimlico than the one you're \
         running. You need to use >= v{release} to run this config file (and not > {major}). \
         Currently using {PIMLICO_RELEASE}"
    )
}

fn number(part: &str, release: &str) -> Result<i64, String> {
    crate::py::parse_int(part).ok_or_else(|| {
        format!(
            "invalid Pimlico release '{release}' in pipeline section: expected a version number \
             such as 0.9 or 0.9.25 ('{part}' is not a number)"
        )
    })
}

/// Pimlico's `check_release`: the major version must match, and the running minor version
/// must be at least the required one (`rc` requirements accept the same version).
pub fn check_release(release: &str) -> Result<(), String> {
    let (current_major, current_minor) = crate::py::split_once_or_all(PIMLICO_RELEASE, ".");
    let (required_major, required_minor) = crate::py::split_once_or_all(release, ".");
    let current_major = number(current_major, PIMLICO_RELEASE)?;
    let required_major_n = number(required_major, release)?;
    let required_minor = required_minor.strip_suffix("rc").unwrap_or(required_minor);
    if current_major < required_major_n {
        return Err(format!(
            "config file was written for a later version of Pimlico than the one you're running. \
             You need to update Pimlico (or check out a later release), as there could be \
             backwards-incompatible changes between major versions. Running version \
             {PIMLICO_RELEASE}, required version {release}"
        ));
    }
    if current_major > required_major_n {
        return Err(format!(
            "config file was written for an earlier version of Pimlico than the one you're \
             running. You need to check out an earlier release, as the behaviour of Pimlico could \
             be very different to when the config file was written. Running version \
             {PIMLICO_RELEASE}, required version {release}"
        ));
    }
    let mut current = current_minor;
    let mut given = required_minor;
    while !given.is_empty() {
        if current.is_empty() {
            return Err(later_minor(release, required_major_n));
        }
        let (c, c_rest) = crate::py::split_once_or_all(current, ".");
        let (g, g_rest) = crate::py::split_once_or_all(given, ".");
        let (c, g) = (number(c, PIMLICO_RELEASE)?, number(g, release)?);
        if c > g {
            return Ok(());
        }
        if c < g {
            return Err(later_minor(release, required_major_n));
        }
        current = c_rest;
        given = g_rest;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects_like_pimlico() {
        for ok in ["0.8", "0.9.25rc", "0.9.25", "0.9", "0", "0.9.3", "0.9.24.9"] {
            assert_eq!(check_release(ok), Ok(()), "{ok}");
        }
        for bad in ["0.9.26", "0.10", "0.9.25.1"] {
            assert!(
                check_release(bad).unwrap_err().contains("later (minor)"),
                "{bad}"
            );
        }
        assert!(check_release("1.0").unwrap_err().contains("later version"));
        assert!(
            check_release("abc")
                .unwrap_err()
                .contains("invalid Pimlico release 'abc'")
        );
        assert!(check_release("0.9..1").is_err());
    }
}
