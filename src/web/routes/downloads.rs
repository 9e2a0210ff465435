//! `GET /downloads/{id}`: signed links to finished files.

use actix_files::NamedFile;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::app::AppContext;
use crate::formats::Format;
use crate::jobs::{Job, JobKind, JobStatus, queue};
use crate::links::{self, LinkError, Purpose};
use crate::web::error::{AppError, PageError};

#[derive(Deserialize)]
pub struct LinkQuery {
    purpose: Option<String>,
    expires: Option<i64>,
    signature: Option<String>,
}

fn expired(purpose: Purpose) -> AppError {
    let next = match purpose {
        Purpose::Export => "Start a new export to get a fresh link.",
        _ => "Import the file again to get a new report and a fresh link.",
    };
    AppError::Gone(format!(
        "This download link has expired, and the file has been or will soon be deleted. {next}"
    ))
}

fn forbidden() -> AppError {
    AppError::Forbidden(
        "This download link is not valid. Copy the whole link from the email or the Exports page."
            .to_string(),
    )
}

/// The stored file a link opens.
struct ServedFile {
    key: String,
    name: String,
    content_type: &'static str,
}

/// Finds the file of `purpose` in the job's result: an export's file, or
/// an import's report or failed rows.
fn served_file(job: &Job, result: &serde_json::Value, purpose: Purpose) -> Option<ServedFile> {
    let (key, name, content_type) = match (job.kind()?, purpose) {
        (JobKind::Export, Purpose::Export) => ("fileKey", "fileName", format_type(&job.format)),
        (JobKind::Import, Purpose::Report) => ("reportKey", "reportFileName", "application/json"),
        (JobKind::Import, Purpose::FailedRows) => (
            "failedRowsKey",
            "failedRowsFileName",
            format_type(&job.format),
        ),
        _ => return None,
    };
    Some(ServedFile {
        key: result[key].as_str()?.to_string(),
        name: result[name].as_str().unwrap_or("download").to_string(),
        content_type,
    })
}

fn format_type(format: &str) -> &'static str {
    match format {
        "ndjson" => "application/x-ndjson",
        other => other
            .parse::<Format>()
            .map(Format::content_type)
            .unwrap_or("application/octet-stream"),
    }
}

pub async fn download(
    req: HttpRequest,
    context: web::Data<AppContext>,
    id: web::Path<String>,
    query: web::Query<LinkQuery>,
) -> Result<HttpResponse, PageError> {
    let purpose = query
        .purpose
        .as_deref()
        .map_or(Some(Purpose::Export), Purpose::parse)
        .ok_or_else(forbidden)?;
    let (Some(expires), Some(signature)) = (query.expires, query.signature.as_deref()) else {
        return Err(forbidden().into());
    };
    links::verify(
        &context.secret,
        &id,
        purpose,
        expires,
        signature,
        Utc::now(),
    )
    .map_err(|error| match error {
        LinkError::Invalid => forbidden(),
        LinkError::Expired => expired(purpose),
    })?;

    let mut conn = context.db.conn().await?;
    let job = queue::find(&mut conn, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    if job.status() != JobStatus::Completed {
        return Err(expired(purpose).into());
    }
    let result = job.result_json();
    let file = served_file(&job, &result, purpose).ok_or(AppError::NotFound)?;
    let (key, file_name, content_type) = (file.key, file.name, file.content_type);

    // A HEAD request, such as a mail client's link check, is no download.
    if req.method() != actix_web::http::Method::HEAD {
        let detail = serde_json::json!({"jobId": job.id, "purpose": purpose.as_str()});
        crate::activity::record(&mut conn, job.user_id, "download", detail).await?;
    }
    drop(conn);

    let path = context
        .storage
        .local_path(&key)?
        .ok_or(AppError::NotFound)?;
    let file = NamedFile::open_async(&path)
        .await
        .map_err(|_| expired(purpose))?;

    tracing::info!(job_id = %job.id, "file downloaded");
    let response = file
        .set_content_type(
            content_type
                .parse()
                .unwrap_or(mime::APPLICATION_OCTET_STREAM),
        )
        .set_content_disposition(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(crate::storage::safe_file_name(
                &file_name,
            ))],
        })
        .into_response(&req);
    Ok(response)
}
