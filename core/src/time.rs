//! Timestamps in the format Pimlico writes to history files and locks.

/// The current local time as `YYYY-MM-DD HH:MM:SS`.
pub fn now_stamp() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}
