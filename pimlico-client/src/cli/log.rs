//! Log lines in the original's format: `2026-11-25 18:54:47 - Pimlico - INFO - message`.

use pimlico_core::exec::LogLevel;

/// Prints a log line on stderr (debug lines only with `--debug`).
pub fn log(debug: bool, level: LogLevel, logger: &str, message: &str) {
    if level == LogLevel::Debug && !debug {
        return;
    }
    let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S");
    eprintln!("{now} - {logger} - {} - {message}", level.as_str());
}

/// Logs an informational message of the `Pimlico` logger.
pub fn info(message: &str) {
    log(false, LogLevel::Info, "Pimlico", message);
}

/// Logs a warning of the `Pimlico` logger.
pub fn warn(message: &str) {
    log(false, LogLevel::Warning, "Pimlico", message);
}
