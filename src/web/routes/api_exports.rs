//! `POST /api/exports`, `GET /api/exports` and `GET /api/exports/{id}`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::app::AppContext;
use crate::export::{ExportRequest, ExportSpec};
use crate::jobs::queue::{self, Enqueued, NewJob};
use crate::jobs::{Job, JobKind};
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, AppError};
use crate::web::views::job_json;

/// Longest accepted `Idempotency-Key`.
const MAX_IDEMPOTENCY_KEY_LEN: usize = 200;

pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    let visible = key.bytes().all(|b| b.is_ascii_graphic());
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_LEN || !visible {
        return Err(AppError::invalid(
            "Idempotency-Key",
            format!(
                "must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} visible ASCII characters, without spaces"
            ),
        ));
    }
    Ok(Some(key.to_string()))
}

/// Creates the export job, or finds the identical one still running.
pub async fn start_export(
    context: &AppContext,
    user_id: i64,
    spec: &ExportSpec,
    idempotency_key: Option<String>,
) -> Result<Enqueued, AppError> {
    let mut conn = context.db.conn().await?;
    let enqueued = queue::enqueue(
        &mut conn,
        NewJob {
            user_id,
            kind: JobKind::Export,
            dataset: spec.dataset.as_str().to_string(),
            format: spec.format.as_str().to_string(),
            params: spec.params(),
            dedup_key: Some(spec.dedup_key()),
            idempotency_key,
            max_attempts: context.settings.max_attempts,
        },
    )
    .await?;

    if let Enqueued::KeyReused(job) = &enqueued {
        return Err(AppError::Conflict(format!(
            "This Idempotency-Key was already used for a different request (job {}); send a new key for a new request.",
            job.id
        )));
    }
    if let Enqueued::Created(job) = &enqueued {
        context.events.wake_workers();
        tracing::info!(job_id = %job.id, user_id, dataset = %spec.dataset, format = %spec.format, "export requested");
        let detail = json!({"jobId": job.id, "dataset": spec.dataset.as_str(), "format": spec.format.as_str()});
        crate::activity::record(&mut conn, user_id, "export_requested", detail).await?;
    }
    Ok(enqueued)
}

pub async fn create(
    req: HttpRequest,
    context: web::Data<AppContext>,
    user: ApiUser,
    body: web::Json<ExportRequest>,
) -> Result<HttpResponse, ApiError> {
    let spec = ExportSpec::parse(&body).map_err(|e| AppError::invalid(&e.field, e.message))?;
    let key = idempotency_key(&req)?;
    let enqueued = start_export(&context, user.0.user.id, &spec, key).await?;

    let job = enqueued.job();
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", format!("/api/exports/{}", job.id)))
        .json(job_json(&context, job)))
}

pub async fn list(context: web::Data<AppContext>, user: ApiUser) -> Result<HttpResponse, ApiError> {
    let mut conn = context.db.conn().await?;
    let jobs = queue::list_for_user(&mut conn, user.0.user.id, JobKind::Export, 100).await?;
    let items: Vec<_> = jobs.iter().map(|job| job_json(&context, job)).collect();
    Ok(HttpResponse::Ok().json(json!({ "exports": items })))
}

/// Returns the user's job of `kind`, or 404 for anything else.
pub async fn owned_job(
    context: &AppContext,
    user_id: i64,
    id: &str,
    kind: Option<JobKind>,
) -> Result<Job, AppError> {
    let mut conn = context.db.conn().await?;
    let job = queue::find_for_user(&mut conn, user_id, id).await?;
    match job {
        Some(job) if kind.is_none_or(|kind| job.kind() == Some(kind)) => Ok(job),
        _ => Err(AppError::NotFound),
    }
}

pub async fn show(
    context: web::Data<AppContext>,
    user: ApiUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let job = owned_job(&context, user.0.user.id, &id, Some(JobKind::Export)).await?;
    Ok(HttpResponse::Ok().json(job_json(&context, &job)))
}
