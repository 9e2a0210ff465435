//! The Import page (the form and the user's imports) and the page of one
//! import: live progress, counts, the first errors and the files.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::accounts::{CsrfForm, after_job_action, html, see_other};
use super::api_exports::owned_job;
use super::api_imports::{resume_job, start_import};
use super::api_jobs::cancel_job;
use crate::app::AppContext;
use crate::datasets::Dataset;
use crate::import::report::{self, ErrorEntry};
use crate::import::{ImportRequest, ImportSpec};
use crate::jobs::{Job, JobKind, JobStatus, queue};
use crate::links::Purpose;
use crate::mail::thousands;
use crate::web::auth::PageUser;
use crate::web::csrf::{self, CSRF_FIELD};
use crate::web::error::{AppError, PageError};
use crate::web::views::{JobRow, import_counts, import_summary, job_row, progress, progress_text};

/// Most imports listed on the Import page.
const LISTED_JOBS: i64 = 50;

/// Errors shown on an import's page. The report contains all of them.
const SHOWN_ERRORS: i64 = 100;

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage<'a> {
    csrf: &'a str,
    email: &'a str,
    datasets: Vec<(&'static str, &'static str)>,
    jobs: Vec<JobRow>,
    error: Option<&'a str>,
}

pub async fn page(
    req: HttpRequest,
    context: web::Data<AppContext>,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    render_list(&req, &context, &user, StatusCode::OK, None).await
}

async fn render_list(
    req: &HttpRequest,
    context: &AppContext,
    user: &PageUser,
    status: StatusCode,
    error: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let mut conn = context.db.conn().await?;
    let jobs =
        queue::list_for_user(&mut conn, user.0.user.id, JobKind::Import, LISTED_JOBS).await?;
    drop(conn);

    let csrf = csrf::issue(context, req);
    let page = ImportsPage {
        csrf: &csrf.token,
        email: &user.0.user.email,
        datasets: Dataset::ALL
            .iter()
            .map(|d| (d.as_str(), d.title()))
            .collect(),
        jobs: jobs.iter().map(|job| job_row(context, job)).collect(),
        error,
    };
    html(status, &csrf, page.render())
}

/// Turns the submitted form into the request the API takes.
fn form_request(body: &[u8]) -> (ImportRequest, String) {
    let mut request = ImportRequest::default();
    let mut options = serde_json::Map::new();
    let mut csrf_token = String::new();

    for (name, value) in url::form_urlencoded::parse(body) {
        let value = value.trim().to_string();
        match name.as_ref() {
            "dataset" => request.dataset = Some(value),
            "upload_key" => request.upload_key = Some(value),
            "dry_run" => {
                options.insert("dryRun".into(), serde_json::Value::Bool(value == "true"));
            }
            "delimiter" | "encoding" | "decimal_separator" | "sheet" if !value.is_empty() => {
                let key = match name.as_ref() {
                    "decimal_separator" => "decimalSeparator",
                    other => other,
                };
                options.insert(key.into(), serde_json::Value::String(value));
            }
            CSRF_FIELD => csrf_token = value,
            _ => {}
        }
    }
    request.options = Some(serde_json::Value::Object(options));
    (request, csrf_token)
}

pub async fn submit(
    req: HttpRequest,
    context: web::Data<AppContext>,
    user: PageUser,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let (request, csrf_token) = form_request(&body);
    csrf::verify(&req, &csrf_token)?;

    let started = match ImportSpec::parse(&request) {
        Ok(spec) => start_import(&context, user.0.user.id, &spec, None).await,
        Err(error) => Err(AppError::invalid(&error.field, error.message)),
    };
    match started {
        Ok(job) => Ok(see_other(&format!("/imports/{}", job.id)).finish()),
        Err(error @ AppError::Invalid { .. }) => {
            let message = error.to_string();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_list(&req, &context, &user, status, Some(&message)).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage<'a> {
    csrf: &'a str,
    job: ImportView,
}

/// One import as its page shows it.
struct ImportView {
    id: String,
    status: String,
    dataset: String,
    file_name: String,
    percentage: i64,
    text: String,
    summary: String,
    active: bool,
    finished: bool,
    dry_run: bool,
    total_rows: String,
    customers_created: u64,
    warnings: Vec<String>,
    errors: Vec<ErrorEntry>,
    more_errors: bool,
    report_url: Option<String>,
    failed_rows_url: Option<String>,
    expires: String,
    can_resume: bool,
}

async fn import_view(context: &AppContext, job: &Job) -> Result<ImportView, AppError> {
    let mut conn = context.db.conn().await?;
    let errors = report::error_page(&mut conn, &job.id, 0, SHOWN_ERRORS + 1).await?;
    drop(conn);

    let counts = import_counts(job);
    let count = |name: &str| counts[name].as_u64().unwrap_or(0);
    let result = job.result_json();
    let completed = job.status() == JobStatus::Completed;
    let link = |key: &str, purpose| {
        (completed && result[key].is_string())
            .then(|| report::file_link(context, job, purpose))
            .flatten()
    };
    let warnings = result["warnings"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|w| w.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();

    Ok(ImportView {
        id: job.id.clone(),
        status: job.status.clone(),
        dataset: job
            .dataset
            .parse::<Dataset>()
            .map_or_else(|_| job.dataset.clone(), |d| d.title().to_string()),
        file_name: result["fileName"].as_str().unwrap_or_default().to_string(),
        percentage: progress(job).percentage,
        text: progress_text(job),
        summary: import_summary(job),
        active: !job.status().is_terminal(),
        finished: job.status().is_terminal(),
        dry_run: counts["dryRun"].as_bool().unwrap_or(false),
        total_rows: thousands(count("totalRows")),
        customers_created: count("customersCreated"),
        warnings,
        more_errors: errors.len() as i64 > SHOWN_ERRORS,
        errors: errors
            .into_iter()
            .take(SHOWN_ERRORS as usize)
            .map(|(_, entry)| entry)
            .collect(),
        report_url: link("reportKey", Purpose::Report),
        failed_rows_url: link("failedRowsKey", Purpose::FailedRows),
        expires: job
            .expires_at
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default(),
        can_resume: matches!(job.status(), JobStatus::Failed | JobStatus::Cancelled),
    })
}

pub async fn show(
    req: HttpRequest,
    context: web::Data<AppContext>,
    user: PageUser,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let job = owned_job(&context, user.0.user.id, &id, Some(JobKind::Import)).await?;
    let view = import_view(&context, &job).await?;
    let csrf = csrf::issue(&context, &req);
    let page = ImportPage {
        csrf: &csrf.token,
        job: view,
    };
    html(StatusCode::OK, &csrf, page.render())
}

pub async fn cancel(
    req: HttpRequest,
    context: web::Data<AppContext>,
    user: PageUser,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    csrf::verify(&req, &form.csrf_token)?;
    owned_job(&context, user.0.user.id, &id, Some(JobKind::Import)).await?;
    let cancelled = cancel_job(&context, user.0.user.id, &id).await;
    after_job_action(cancelled, &format!("/imports/{id}"))
}

pub async fn resume(
    req: HttpRequest,
    context: web::Data<AppContext>,
    user: PageUser,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    csrf::verify(&req, &form.csrf_token)?;
    let resumed = resume_job(&context, user.0.user.id, &id).await;
    after_job_action(resumed, &format!("/imports/{id}"))
}

/// Starts a real import of the file and options of a finished dry run.
pub async fn run_for_real(
    req: HttpRequest,
    context: web::Data<AppContext>,
    user: PageUser,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    csrf::verify(&req, &form.csrf_token)?;
    let job = owned_job(&context, user.0.user.id, &id, Some(JobKind::Import)).await?;
    let mut spec =
        ImportSpec::from_job(&job.dataset, &job.format, &job.params).map_err(AppError::internal)?;
    if !spec.options.dry_run {
        return Ok(see_other(&format!("/imports/{id}")).finish());
    }

    spec.options.dry_run = false;
    let started = start_import(&context, user.0.user.id, &spec, None).await?;
    Ok(see_other(&format!("/imports/{}", started.id)).finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_becomes_an_api_request() {
        let body =
            b"dataset=orders&upload_key=k1&dry_run=true&delimiter=%3B&encoding=&csrf_token=t";
        let (request, token) = form_request(body);
        assert_eq!(token, "t");
        assert_eq!(request.upload_key.as_deref(), Some("k1"));
        let options = request.options.unwrap();
        assert_eq!(options["dryRun"], true);
        assert_eq!(options["delimiter"], ";");
        assert!(options.get("encoding").is_none());
    }
}
