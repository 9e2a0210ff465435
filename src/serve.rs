//! Running the server and the workers until a shutdown signal.

use std::net::TcpListener;
use std::time::Duration;

use tokio::sync::watch;

use crate::app::AppContext;
use crate::jobs::{spawn_workers, sweeper};

/// How long running jobs get to checkpoint and release after a signal.
const WORKER_GRACE: Duration = Duration::from_secs(30);

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "failed to listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = terminate => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// Serves HTTP on `listener` and runs the configured workers and the
/// sweeper, until `stop` resolves.
pub async fn serve(
    context: AppContext,
    listener: TcpListener,
    stop: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let (shutdown_sender, shutdown) = watch::channel(false);
    let mut workers = spawn_workers(&context, context.settings.workers, &shutdown);
    let sweeper = tokio::spawn(sweeper::run(
        context.clone(),
        context.settings.sweep_interval,
        shutdown.clone(),
    ));
    let listener_task = spawn_notice_listener(&context, &shutdown);

    let server = crate::web::server(context.clone(), listener)?;
    let handle = server.handle();
    let server_task = tokio::spawn(server);

    stop.await;
    tracing::info!("shutting down: no new jobs are claimed");
    let _ = shutdown_sender.send(true);
    context.events.close();
    handle.stop(true).await;

    let _ = tokio::time::timeout(WORKER_GRACE, async {
        while workers.join_next().await.is_some() {}
    })
    .await;
    sweeper.abort();
    if let Some(task) = listener_task {
        task.abort();
    }
    server_task.await??;
    tracing::info!("stopped");
    Ok(())
}

/// Listens for job notices from other processes on PostgreSQL.
fn spawn_notice_listener(
    context: &AppContext,
    shutdown: &watch::Receiver<bool>,
) -> Option<tokio::task::JoinHandle<()>> {
    if context.db.backend() != crate::db::Backend::Postgres {
        return None;
    }
    let task = crate::jobs::listener::run(
        context.settings.database_url(),
        context.events.clone(),
        shutdown.clone(),
    );
    Some(tokio::spawn(task))
}

/// Runs workers without a web server until `stop` resolves.
pub async fn work(context: AppContext, concurrency: usize, stop: impl Future<Output = ()>) {
    let (shutdown_sender, shutdown) = watch::channel(false);
    let mut workers = spawn_workers(&context, concurrency, &shutdown);
    let sweeper = tokio::spawn(sweeper::run(
        context.clone(),
        context.settings.sweep_interval,
        shutdown.clone(),
    ));

    stop.await;
    tracing::info!("shutting down: no new jobs are claimed");
    let _ = shutdown_sender.send(true);
    let _ = tokio::time::timeout(WORKER_GRACE, async {
        while workers.join_next().await.is_some() {}
    })
    .await;
    sweeper.abort();
    tracing::info!("stopped");
}
