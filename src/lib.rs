//! Ferry: background exports, validated imports and personal-data archives.

pub mod formats;
pub mod mail;
