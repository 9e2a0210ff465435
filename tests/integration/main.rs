//! Ferry's integration tests: one binary that starts the real application
//! on port 0, against SQLite and PostgreSQL, with real mail servers.
//!
//! PostgreSQL tests create a database of their own on the server named by
//! `FERRY_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432`)
//! and drop it afterwards.

#![allow(dead_code, reason = "each test module uses part of the helpers")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap is a failed test"
)]

mod browser;
mod common;
mod exports;
mod faults;
mod hard_cases;
mod imports;
mod mail_file;
mod mail_smtp;
mod pages;
mod progress;
mod uploads;
mod worker;
