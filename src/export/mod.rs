//! Export jobs: stream a dataset from one database snapshot into a file,
//! publish it whole, and send the download link.

mod job;
mod snapshot;
mod spec;

pub use job::run;
pub use spec::{ExportOptions, ExportRequest, ExportSpec};

/// Rows read per keyset query.
pub const BATCH_SIZE: i64 = 1_000;
