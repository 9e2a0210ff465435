//! Ferry: background exports of user data, and the parts of imports built so far.

pub mod accounts;
pub mod activity;
pub mod app;
pub mod cli;
pub mod config;
pub mod datasets;
pub mod db;
pub mod export;
pub mod formats;
pub mod import;
pub mod jobs;
pub mod links;
pub mod mail;
pub mod money;
pub mod seed;
pub mod serve;
pub mod storage;
pub mod uploads;
pub mod web;
