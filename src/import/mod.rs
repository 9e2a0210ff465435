//! Imports: read an uploaded file in chunks, validate every row on its
//! own, upsert the valid ones with a checkpoint per chunk, and report the
//! rest with their row, field, value and message.

mod checkpoint;
mod duplicates;
mod failed_file;
pub mod fields;
mod job;
mod prepare;
mod records;
pub mod report;
mod schema;
mod source;
mod spec;
mod write;

pub use checkpoint::Checkpoint;
pub use job::run;
pub use spec::{ImportOptions, ImportRequest, ImportSpec, format_name};
