//! Helpers for the end-to-end tests in `tests/tests/`: temporary stores, pipelines and daemons.
#![forbid(unsafe_code)]
