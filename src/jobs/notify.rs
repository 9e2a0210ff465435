//! Tells listeners in this and other processes that a job row changed.

use diesel_async::RunQueryDsl;

use super::events::NOTIFY_CHANNEL;
use crate::app::AppContext;
use crate::db::Conn;

/// Publishes the change in-process and, on PostgreSQL, through `NOTIFY`.
/// A failed notice is logged and otherwise ignored, because listeners also
/// read the job row once a second.
pub async fn job_changed(context: &AppContext, job_id: &str) {
    context.events.publish(job_id);

    let Ok(mut conn) = context.db.conn().await else {
        return;
    };
    if let Conn::Postgres(pooled) = &mut conn {
        let notify = diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<diesel::sql_types::Text, _>(NOTIFY_CHANNEL)
            .bind::<diesel::sql_types::Text, _>(job_id);
        if let Err(error) = notify.execute(&mut **pooled).await {
            tracing::warn!(job_id, %error, "failed to send the job change notice");
        }
    }
}
