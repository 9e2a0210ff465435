//! How SQLite's synchronous calls leave the async runtime.
//!
//! diesel-async's default for `SyncConnectionWrapper` blocks in `Drop` until
//! a cancelled query finishes, through `tokio::task::block_in_place`, which
//! panics on the single-threaded runtimes that actix-web runs handlers on.
//! Handler futures are cancelled whenever actix-web drops them, for example
//! when another extractor of the same request fails. This implementation
//! lets a cancelled query run to completion on the blocking pool instead:
//! the connection's mutex makes the next query on it wait for that one.

use std::error::Error;

use diesel_async::sync_connection_wrapper::SpawnBlocking;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

#[derive(Debug, Clone, Copy, Default)]
pub struct DetachedBlocking;

impl SpawnBlocking for DetachedBlocking {
    fn spawn_blocking<'a, R>(
        &mut self,
        task: impl FnOnce() -> R + Send + 'static,
    ) -> BoxFuture<'a, Result<R, Box<dyn Error + Send + Sync + 'static>>>
    where
        R: Send + 'static,
    {
        match tokio::runtime::Handle::try_current() {
            // Dropping the JoinHandle detaches the task; it is not aborted.
            Ok(handle) => handle
                .spawn_blocking(task)
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
        DetachedBlocking
    }
}
