//! Route handlers, one file per area.

pub mod accounts;
pub mod api_exports;
pub mod api_imports;
pub mod api_jobs;
pub mod downloads;
pub mod exports_pages;
pub mod health;
pub mod imports_pages;
pub mod uploads;
