//! The blocking-pool runner for SQLite's synchronous calls.
//!
//! diesel-async's default for `SyncConnectionWrapper` waits in `Drop` for a
//! cancelled query through `tokio::task::block_in_place`, which panics on
//! the single-threaded runtimes that actix-web runs handlers on. Handler
//! futures are cancelled whenever actix-web drops them, for example when
//! another extractor of the same request fails. This implementation waits
//! for the blocking task with a plain blocking wait instead, which works on
//! any runtime. The wait must happen, because the connection may only be
//! used again once the cancelled query has released it.

use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use diesel_async::sync_connection_wrapper::SpawnBlocking;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Copy, Default)]
pub struct WaitOnDrop;

/// A blocking task that its dropper waits for when it has not finished.
struct FinishOnDrop<R> {
    task: JoinHandle<R>,
}

impl<R> Future for FinishOnDrop<R> {
    type Output = Result<R, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.task).poll(cx)
    }
}

impl<R> Drop for FinishOnDrop<R> {
    fn drop(&mut self) {
        if !self.task.is_finished() {
            // The task runs on the blocking pool and never waits for this
            // thread, so waiting for it here cannot deadlock.
            let _ = futures_executor::block_on(&mut self.task);
        }
    }
}

impl SpawnBlocking for WaitOnDrop {
    fn spawn_blocking<'a, R>(
        &mut self,
        task: impl FnOnce() -> R + Send + 'static,
    ) -> BoxFuture<'a, Result<R, Box<dyn Error + Send + Sync + 'static>>>
    where
        R: Send + 'static,
    {
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => FinishOnDrop {
                task: handle.spawn_blocking(task),
            }
            .map(|joined| joined.map_err(|e| Box::new(e) as Box<dyn Error + Send + Sync>))
            .boxed(),
            // Outside a runtime nothing else runs on this thread, so the call
            // may block it.
            Err(_) => {
                let result = task();
                async move { Ok(result) }.boxed()
            }
        }
    }

    fn get_runtime() -> Self {
        WaitOnDrop
    }
}
