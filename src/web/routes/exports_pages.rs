//! The Exports page: the form that starts an export, and the list of the
//! user's exports with live progress.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::accounts::{CsrfForm, after_job_action, html};
use super::api_exports::start_export;
use super::api_jobs::cancel_job;
use crate::app::AppContext;
use crate::datasets::{Dataset, ORDER_STATUSES};
use crate::export::{ExportRequest, ExportSpec};
use crate::formats::Format;
use crate::jobs::{JobKind, queue};
use crate::web::auth::PageUser;
use crate::web::csrf::{self, CSRF_FIELD};
use crate::web::error::PageError;
use crate::web::views::{JobRow, job_row};

/// Most exports listed on the page.
const LISTED_JOBS: i64 = 50;

#[derive(Template)]
#[template(path = "exports.html")]
struct ExportsPage<'a> {
    csrf: &'a str,
    email: &'a str,
    datasets: Vec<(&'static str, &'static str)>,
    formats: Vec<&'static str>,
    statuses: &'static [&'static str],
    jobs: Vec<JobRow>,
    any_active: bool,
    error: Option<&'a str>,
}

async fn render(
    req: &HttpRequest,
    context: &AppContext,
    user: &PageUser,
    status: StatusCode,
    error: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let mut conn = context.db.conn().await?;
    let jobs =
        queue::list_for_user(&mut conn, user.0.user.id, JobKind::Export, LISTED_JOBS).await?;
    drop(conn);

    let rows: Vec<JobRow> = jobs.iter().map(|job| job_row(context, job)).collect();
    let csrf = csrf::issue(context, req);
    let page = ExportsPage {
        csrf: &csrf.token,
        email: &user.0.user.email,
        datasets: Dataset::ALL
            .iter()
            .map(|d| (d.as_str(), d.title()))
            .collect(),
        formats: Format::ALL.iter().map(|f| f.as_str()).collect(),
        statuses: ORDER_STATUSES,
        any_active: rows.iter().any(|row| row.active),
        jobs: rows,
        error,
    };
    html(status, &csrf, page.render())
}

pub async fn page(
    req: HttpRequest,
    context: web::Data<AppContext>,
    user: PageUser,
) -> Result<HttpResponse, PageError> {
    render(&req, &context, &user, StatusCode::OK, None).await
}

/// Turns the submitted form into the same request the API takes. The
/// status checkboxes repeat one field name, which serde's form decoder
/// cannot collect, so the body is decoded by hand.
fn form_request(body: &[u8]) -> (ExportRequest, String) {
    let mut request = ExportRequest::default();
    let mut filters = serde_json::Map::new();
    let mut statuses = Vec::new();
    let mut csrf_token = String::new();

    for (name, value) in url::form_urlencoded::parse(body) {
        let value = value.trim().to_string();
        match name.as_ref() {
            "dataset" => request.dataset = Some(value),
            "format" => request.format = Some(value),
            "from" | "to" if !value.is_empty() => {
                filters.insert(name.to_string(), serde_json::Value::String(value));
            }
            "status" => statuses.push(serde_json::Value::String(value)),
            "excel_compatible" => {
                request.options = Some(serde_json::json!({"excelCompatible": value == "true"}))
            }
            CSRF_FIELD => csrf_token = value,
            _ => {}
        }
    }
    if !statuses.is_empty() {
        filters.insert("status".to_string(), serde_json::Value::Array(statuses));
    }
    request.filters = Some(serde_json::Value::Object(filters));
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

    let spec = match ExportSpec::parse(&request) {
        Ok(spec) => spec,
        Err(error) => {
            let message = error.to_string();
            return render(
                &req,
                &context,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&message),
            )
            .await;
        }
    };
    start_export(&context, user.0.user.id, &spec, None).await?;
    Ok(HttpResponse::SeeOther()
        .insert_header(("Location", "/exports"))
        .finish())
}

pub async fn cancel(
    req: HttpRequest,
    context: web::Data<AppContext>,
    user: PageUser,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    csrf::verify(&req, &form.csrf_token)?;
    let cancelled = cancel_job(&context, user.0.user.id, &id).await;
    after_job_action(cancelled, "/exports")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_collects_repeated_statuses() {
        let body = b"dataset=orders&format=csv&from=2024-01-01&to=&status=paid&status=shipped&csrf_token=t";
        let (request, token) = form_request(body);
        let filters = request.filters.unwrap();
        assert_eq!(token, "t");
        assert_eq!(filters["status"], serde_json::json!(["paid", "shipped"]));
        assert_eq!(filters["from"], "2024-01-01");
        assert!(filters.get("to").is_none());
    }
}
