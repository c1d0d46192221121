//! One row of the suite's table: what we measured, the reference measured in the same run, their
//! ratio, and the aim. Printed as a Markdown table so it can be pasted into the docs as is.

use std::fmt::Write as _;

/// What a number measures, for printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Wall-clock seconds (lower is better).
    Seconds,
    /// Requests per second (higher is better).
    PerSecond,
    /// Milliseconds of latency (lower is better).
    Millis,
    /// Megabytes of memory (lower is better).
    Megabytes,
}

/// A measured number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Value {
    /// The number, in `unit`.
    pub number: f64,
    /// Its unit.
    pub unit: Unit,
}

impl Value {
    /// Seconds of a duration.
    pub fn seconds(d: std::time::Duration) -> Self {
        Value {
            number: d.as_secs_f64(),
            unit: Unit::Seconds,
        }
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.number;
        match self.unit {
            Unit::Seconds => write!(f, "{n:.2} s"),
            Unit::PerSecond => write!(f, "{n:.0}/s"),
            Unit::Millis => write!(f, "{n:.1} ms"),
            Unit::Megabytes => write!(f, "{n:.0} MB"),
        }
    }
}

/// What a row should achieve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Aim {
    /// ours / reference at most this.
    RatioAtMost(f64),
    /// Our own number below this (in the row's unit).
    Below(f64),
    /// Reported for information.
    None,
}

/// One measurement and its reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What was measured.
    pub measure: String,
    /// Our number (a median over the rounds where there are several).
    pub ours: Value,
    /// The reference: how it was obtained, and its number.
    pub reference: Option<(String, Value)>,
    /// CPU seconds (user + system, medians) of ours and of the reference, where measured.
    pub cpu: Option<(f64, f64)>,
    /// The aim.
    pub aim: Aim,
}

impl Row {
    /// ours / reference.
    pub fn ratio(&self) -> Option<f64> {
        let (_, reference) = self.reference.as_ref()?;
        (reference.number > 0.0).then(|| self.ours.number / reference.number)
    }

    /// Whether the aim is met; `None` for rows without an aim.
    pub fn met(&self) -> Option<bool> {
        match self.aim {
            Aim::RatioAtMost(limit) => self.ratio().map(|r| r <= limit),
            Aim::Below(limit) => Some(self.ours.number < limit),
            Aim::None => None,
        }
    }
}

/// The rows as a Markdown table.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| measure | ours | reference | ratio | aim | met? | CPU s, ours / reference |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for row in rows {
        let reference = match &row.reference {
            Some((name, value)) => format!("{value} ({name})"),
            None => "-".into(),
        };
        let ratio = row.ratio().map_or("-".into(), |r| format!("{r:.2}"));
        let aim = match row.aim {
            Aim::RatioAtMost(limit) => format!("ratio <= {limit}"),
            Aim::Below(limit) => format!(
                "< {}",
                Value {
                    number: limit,
                    unit: row.ours.unit
                }
            ),
            Aim::None => "-".into(),
        };
        let met = match row.met() {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "-",
        };
        let cpu = match row.cpu {
            Some((ours, reference)) if reference > 0.0 => {
                format!("{ours:.2} / {reference:.2} ({:.2})", ours / reference)
            }
            Some((ours, reference)) => format!("{ours:.2} / {reference:.2}"),
            None => "-".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {ratio} | {aim} | {met} | {cpu} |",
            cell(&row.measure),
            row.ours,
            cell(&reference)
        );
    }
    out
}

/// A table cell: pipes in shell pipelines would end the cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_and_aims() {
        let row = Row {
            measure: "x".into(),
            ours: Value {
                number: 3.0,
                unit: Unit::Seconds,
            },
            reference: Some((
                "tar".into(),
                Value {
                    number: 2.0,
                    unit: Unit::Seconds,
                },
            )),
            cpu: Some((1.0, 0.5)),
            aim: Aim::RatioAtMost(1.3),
        };
        assert_eq!(row.ratio(), Some(1.5));
        assert_eq!(row.met(), Some(false));
        let table = markdown(&[row]);
        assert!(table.contains(
            "| x | 3.00 s | 2.00 s (tar) | 1.50 | ratio <= 1.3 | **no** | 1.00 / 0.50 (2.00) |"
        ));
        assert_eq!(cell("tar c | tar x"), "tar c \\| tar x");
    }
}
