//! Forwards PostgreSQL `NOTIFY` messages about jobs into this process's
//! event channel, so that progress saved by a worker in another process
//! reaches this process's SSE streams at once instead of at the next poll.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::watch;
use tokio_postgres::AsyncMessage;

use super::events::{JobEvents, NOTIFY_CHANNEL};

/// Wait before reconnecting after the listening connection failed.
const RECONNECT_DELAY: Duration = Duration::from_secs(5);

/// Listens until shutdown, reconnecting after failures.
pub async fn run(database_url: String, events: JobEvents, mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        if let Err(error) = listen_once(&database_url, &events, &mut shutdown).await {
            tracing::warn!(%error, "job notice listener failed; reconnecting");
        }
        let _ = tokio::time::timeout(RECONNECT_DELAY, shutdown.changed()).await;
    }
}

async fn listen_once(
    database_url: &str,
    events: &JobEvents,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) =
        tokio_postgres::connect(database_url, tokio_postgres::NoTls).await?;
    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
    let forward = async {
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(notice)) => events.publish(notice.payload()),
                Ok(_) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    };
    let statement = format!("LISTEN {NOTIFY_CHANNEL}");
    let subscribe = client.batch_execute(&statement);

    tokio::pin!(forward);
    tokio::select! {
        result = &mut forward => return result,
        result = subscribe => result?,
    }
    tokio::select! {
        result = forward => result,
        _ = shutdown.changed() => Ok(()),
    }
}
