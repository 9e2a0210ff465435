//! Tests of the generators and of seeding real SQLite and PostgreSQL
//! databases.

#![allow(clippy::unwrap_used, reason = "a failed test panics")]

mod database;
mod generate;
