//! Durable background jobs: the queue, the runner, progress and events.

pub mod events;
pub mod model;
pub mod progress;
pub mod queue;

pub use events::JobEvents;
pub use model::{Job, JobKind, JobStatus};
