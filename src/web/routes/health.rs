//! Liveness, readiness and Prometheus metrics.

use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::app::AppContext;
use crate::db::schema::jobs;
use crate::web::error::ApiError;
use crate::with_conn;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

/// Returns 200 when the database and storage both respond, 503 otherwise.
pub async fn readyz(context: web::Data<AppContext>) -> HttpResponse {
    let database = context.db.ping().await;
    let storage = context.storage.check().await;
    let body = serde_json::json!({
        "database": if database.is_ok() { "ok" } else { "unavailable" },
        "storage": if storage.is_ok() { "ok" } else { "unavailable" },
    });

    match (database, storage) {
        (Ok(()), Ok(())) => HttpResponse::Ok().json(body),
        (database, storage) => {
            if let Err(error) = database {
                tracing::warn!(%error, "readiness: database unavailable");
            }
            if let Err(error) = storage {
                tracing::warn!(%error, "readiness: storage unavailable");
            }
            HttpResponse::ServiceUnavailable().json(body)
        }
    }
}

/// Reports job counts by kind and status, read from the database so that
/// every instance reports the same numbers.
pub async fn metrics(context: web::Data<AppContext>) -> Result<HttpResponse, ApiError> {
    let mut conn = context.db.conn().await?;
    let counts: Vec<(String, String, i64)> = with_conn!(&mut conn, c => jobs::table
        .group_by((jobs::kind, jobs::status))
        .select((jobs::kind, jobs::status, diesel::dsl::count_star()))
        .load(c)
        .await)?;

    let mut body =
        String::from("# HELP ferry_jobs Jobs by kind and status.\n# TYPE ferry_jobs gauge\n");
    for (kind, status, count) in counts {
        body.push_str(&format!(
            "ferry_jobs{{kind=\"{kind}\",status=\"{status}\"}} {count}\n"
        ));
    }
    body.push_str(
        "# HELP ferry_up Whether this instance is serving.\n# TYPE ferry_up gauge\nferry_up 1\n",
    );
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body))
}
