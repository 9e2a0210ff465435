//! `POST /api/imports`, `GET /api/imports`, `GET /api/imports/{id}`, its
//! `/errors`, and `POST /api/imports/{id}/resume`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::app::AppContext;
use crate::db::DbError;
use crate::formats::read::SourceFormat;
use crate::import::{ImportRequest, ImportSpec, format_name, report};
use crate::jobs::queue::{self, Enqueued, NewJob};
use crate::jobs::{Job, JobKind};
use crate::uploads::{self, Upload};
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, AppError};
use crate::web::routes::api_exports::{idempotency_key, owned_job};
use crate::web::views::job_json;

/// Checks that the upload is the user's and complete, and settles its
/// format, so that a wrong file is refused before a job exists.
async fn checked_upload(
    context: &AppContext,
    user_id: i64,
    spec: &ImportSpec,
) -> Result<(Upload, SourceFormat), AppError> {
    let mut conn = context.db.conn().await?;
    let upload = uploads::find_for_user(&mut conn, user_id, &spec.upload_key)
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "uploadKey",
                "matches none of your uploads; send the uploadKey that POST /api/uploads returned",
            )
        })?;
    if !upload.is_uploaded() {
        return Err(AppError::invalid(
            "uploadKey",
            "names an upload whose file has not arrived; send the file with PUT to its uploadUrl first",
        ));
    }
    if upload.size == Some(0) {
        return Err(AppError::invalid(
            "uploadKey",
            format!(
                "names {:?}, which is empty; upload a file with a header row and data rows",
                upload.filename
            ),
        ));
    }

    let format = match spec.format {
        Some(format) => format,
        None => detect(context, &upload).await?,
    };
    Ok((upload, format))
}

async fn detect(context: &AppContext, upload: &Upload) -> Result<SourceFormat, AppError> {
    let path = context
        .storage
        .local_path(&upload.storage_key)?
        .ok_or(AppError::NotFound)?;
    let detected = crate::formats::read::detect_file(&path, &upload.filename)
        .await
        .map_err(AppError::internal)?;

    detected.ok_or_else(|| {
        AppError::invalid(
            "format",
            format!(
                "{:?} is not a format Ferry imports; upload a CSV, XLSX, JSON or NDJSON file, or name its format as csv, json, ndjson or xlsx",
                upload.filename
            ),
        )
    })
}

pub async fn create(
    req: HttpRequest,
    context: web::Data<AppContext>,
    user: ApiUser,
    body: web::Json<ImportRequest>,
) -> Result<HttpResponse, ApiError> {
    let spec = ImportSpec::parse(&body).map_err(|e| AppError::invalid(&e.field, e.message))?;
    let key = idempotency_key(&req)?;
    let job = start_import(&context, user.0.user.id, &spec, key).await?;

    Ok(HttpResponse::Accepted()
        .insert_header(("Location", format!("/api/imports/{}", job.id)))
        .json(job_json(&context, &job)))
}

/// Creates the import job, or finds the identical one still running.
pub async fn start_import(
    context: &AppContext,
    user_id: i64,
    spec: &ImportSpec,
    idempotency_key: Option<String>,
) -> Result<Job, AppError> {
    let (_, format) = checked_upload(context, user_id, spec).await?;
    let mut conn = context.db.conn().await?;
    let dedup = format!("import\n{}\n{}", spec.dataset, spec.params());
    let enqueued = queue::enqueue(
        &mut conn,
        NewJob {
            user_id,
            kind: JobKind::Import,
            dataset: spec.dataset.as_str().to_string(),
            format: format_name(format).to_string(),
            params: spec.params(),
            dedup_key: Some(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(dedup))),
            idempotency_key,
            max_attempts: context.settings.max_attempts,
        },
    )
    .await?;

    match enqueued {
        Enqueued::KeyReused(job) => Err(AppError::Conflict(format!(
            "This Idempotency-Key was already used for a different request (job {}); send a new key for a new request.",
            job.id
        ))),
        Enqueued::Existing(job) => Ok(job),
        Enqueued::Created(job) => {
            context.events.wake_workers();
            tracing::info!(job_id = %job.id, user_id, dataset = %spec.dataset, "import requested");
            let detail = json!({"jobId": job.id, "dataset": spec.dataset.as_str(), "dryRun": spec.options.dry_run});
            crate::activity::record(&mut conn, user_id, "import_requested", detail).await?;
            Ok(job)
        }
    }
}

pub async fn list(context: web::Data<AppContext>, user: ApiUser) -> Result<HttpResponse, ApiError> {
    let mut conn = context.db.conn().await?;
    let jobs = queue::list_for_user(&mut conn, user.0.user.id, JobKind::Import, 100).await?;
    let items: Vec<_> = jobs.iter().map(|job| job_json(&context, job)).collect();
    Ok(HttpResponse::Ok().json(json!({ "imports": items })))
}

pub async fn show(
    context: web::Data<AppContext>,
    user: ApiUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let job = owned_job(&context, user.0.user.id, &id, Some(JobKind::Import)).await?;
    Ok(HttpResponse::Ok().json(job_json(&context, &job)))
}

#[derive(Deserialize)]
pub struct ErrorsQuery {
    after: Option<i64>,
    limit: Option<i64>,
}

/// Max errors in one response of `/errors`.
const MAX_ERRORS_PAGE: i64 = 10_000;

/// Returns the report so far: the counts and a page of errors in row
/// order. The `next` value, when present, is the `after` of the next page.
pub async fn errors(
    context: web::Data<AppContext>,
    user: ApiUser,
    id: web::Path<String>,
    query: web::Query<ErrorsQuery>,
) -> Result<HttpResponse, ApiError> {
    let job = owned_job(&context, user.0.user.id, &id, Some(JobKind::Import)).await?;
    let limit = query.limit.unwrap_or(1_000);
    if !(1..=MAX_ERRORS_PAGE).contains(&limit) {
        return Err(
            AppError::invalid("limit", format!("must be from 1 to {MAX_ERRORS_PAGE}")).into(),
        );
    }

    let mut conn = context.db.conn().await?;
    let page = report::error_page(&mut conn, &job.id, query.after.unwrap_or(0), limit).await?;
    let next = (page.len() as i64 == limit).then(|| page.last().map(|(id, _)| *id));
    let errors: Vec<_> = page.into_iter().map(|(_, entry)| entry).collect();

    let mut body = crate::web::views::import_counts(&job);
    body["errors"] = json!(errors);
    body["next"] = json!(next.flatten());
    Ok(HttpResponse::Ok().json(body))
}

/// Puts a failed or cancelled import back in the queue; it goes on from
/// its checkpoint.
pub async fn resume(
    context: web::Data<AppContext>,
    user: ApiUser,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let job = resume_job(&context, user.0.user.id, &id).await?;
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", format!("/api/imports/{}", job.id)))
        .json(job_json(&context, &job)))
}

pub async fn resume_job(context: &AppContext, user_id: i64, id: &str) -> Result<Job, AppError> {
    let job = owned_job(context, user_id, id, Some(JobKind::Import)).await?;
    let mut conn = context.db.conn().await?;
    let resumed = match queue::resume(&mut conn, &job.id).await {
        Err(DbError::Query(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => {
            return Err(AppError::Conflict(
                "An identical import of the same file is running. Wait for it to finish, or cancel it, then resume this one."
                    .to_string(),
            ));
        }
        other => other?,
    };
    if !resumed {
        return Err(AppError::Conflict(format!(
            "This import is {}; only a failed or cancelled import can be resumed.",
            job.status
        )));
    }

    context.events.wake_workers();
    crate::jobs::notify::job_changed(context, &job.id).await;
    tracing::info!(job_id = %job.id, user_id, "import resumed");
    queue::find(&mut conn, &job.id)
        .await?
        .ok_or(AppError::NotFound)
}
