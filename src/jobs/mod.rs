//! Durable background jobs: the queue, the runner, progress and events.

pub mod control;
pub mod error;
pub mod events;
pub mod listener;
pub mod model;
pub mod notify;
pub mod progress;
pub mod queue;
pub mod runner;
pub mod sweeper;

pub use control::{Flow, JobControl};
pub use error::JobError;
pub use events::JobEvents;
pub use model::{Job, JobKind, JobStatus};
pub use runner::{JobOutcome, spawn_workers};
