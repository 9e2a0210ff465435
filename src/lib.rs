//! Ferry: background exports, validated imports and personal-data archives.

pub mod config;
pub mod accounts;
pub mod db;
pub mod formats;
pub mod jobs;
pub mod links;
pub mod money;
pub mod storage;
pub mod datasets;
pub mod mail;
pub mod seed;
