//! The HTTP side: routes, extractors, errors and the server itself.

mod assets;
pub mod auth;
pub mod csrf;
pub mod error;
mod logging;
pub mod routes;
pub mod views;

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};

use crate::app::AppContext;
use error::{ApiError, AppError, PageError};
use routes::{
    accounts, api_exports, api_imports, api_jobs, downloads, exports_pages, health, imports_pages,
    uploads,
};

/// Largest JSON body accepted by the API; uploads use their own endpoint.
const JSON_LIMIT: usize = 64 * 1024;

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_LIMIT)
        .error_handler(|error, _| ApiError(json_error(error)).into())
}

/// Turns a malformed query string or form into Ferry's own error: JSON
/// under `/api/`, the error page elsewhere. A download or upload link whose
/// query does not parse gets the same 403 as any other broken link.
fn request_error(path: &str, detail: String) -> actix_web::Error {
    if path.starts_with("/api/") {
        return ApiError(AppError::invalid("query", detail)).into();
    }
    if path.starts_with("/downloads/") || path.starts_with("/uploads/") {
        let message = "This link is not valid. Copy the whole link from the email or the page.";
        return PageError(AppError::Forbidden(message.to_string())).into();
    }
    PageError(AppError::BadRequest(format!(
        "The form was incomplete or malformed ({detail}). Reload the page and try again."
    )))
    .into()
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default()
        .error_handler(|error, req| request_error(req.path(), error.to_string()))
}

fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .error_handler(|error, req| request_error(req.path(), error.to_string()))
}

fn json_error(error: actix_web::error::JsonPayloadError) -> AppError {
    use actix_web::error::JsonPayloadError;

    match error {
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            AppError::TooLarge(format!("The request body is larger than {limit} bytes."))
        }
        JsonPayloadError::ContentType => AppError::UnsupportedMediaType(
            "Send the request body as JSON with Content-Type: application/json.".to_string(),
        ),
        other => AppError::invalid(
            "body",
            format!("the body is not valid JSON for this request: {other}"),
        ),
    }
}

/// Returns a JSON 404 for unknown API paths and the HTML page for others.
async fn not_found(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    use actix_web::ResponseError;

    if req.path().starts_with("/api/") {
        ApiError(AppError::NotFound).error_response()
    } else {
        error::PageError(AppError::NotFound).error_response()
    }
}

/// Headers on every response: no framing, no MIME sniffing, and no
/// `Referer`, which would leak signed download links to other sites.
fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add(("X-Frame-Options", "DENY"))
        .add(("Content-Security-Policy", "frame-ancestors 'none'"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
}

/// Registers every route.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .app_data(json_config())
        .app_data(query_config())
        .app_data(form_config())
        .route("/", web::get().to(accounts::home))
        .route("/signin", web::get().to(accounts::signin_page))
        .route("/signin", web::post().to(accounts::signin))
        .route("/signup", web::get().to(accounts::signup_page))
        .route("/signup", web::post().to(accounts::signup))
        .route("/signout", web::post().to(accounts::signout))
        .route("/exports", web::get().to(exports_pages::page))
        .route("/exports", web::post().to(exports_pages::submit))
        .route(
            "/exports/{id}/cancel",
            web::post().to(exports_pages::cancel),
        )
        .route("/imports", web::get().to(imports_pages::page))
        .route("/imports", web::post().to(imports_pages::submit))
        .route("/imports/{id}", web::get().to(imports_pages::show))
        .route(
            "/imports/{id}/cancel",
            web::post().to(imports_pages::cancel),
        )
        .route(
            "/imports/{id}/resume",
            web::post().to(imports_pages::resume),
        )
        .route(
            "/imports/{id}/run",
            web::post().to(imports_pages::run_for_real),
        )
        .route("/downloads/{id}", web::get().to(downloads::download))
        .route("/downloads/{id}", web::head().to(downloads::download))
        .route("/api/exports", web::post().to(api_exports::create))
        .route("/api/exports", web::get().to(api_exports::list))
        .route("/api/exports/{id}", web::get().to(api_exports::show))
        .route("/api/imports", web::post().to(api_imports::create))
        .route("/api/imports", web::get().to(api_imports::list))
        .route("/api/imports/{id}", web::get().to(api_imports::show))
        .route(
            "/api/imports/{id}/errors",
            web::get().to(api_imports::errors),
        )
        .route(
            "/api/imports/{id}/resume",
            web::post().to(api_imports::resume),
        )
        .route("/api/jobs/{id}/events", web::get().to(api_jobs::events))
        .route("/api/jobs/{id}/cancel", web::post().to(api_jobs::cancel))
        .route("/api/uploads", web::post().to(uploads::create))
        .route("/uploads/{key}", web::put().to(uploads::receive))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .route("/static/{name}", web::get().to(assets::serve))
        .route("/healthz", web::head().to(health::healthz))
        .default_service(web::to(not_found));
}

/// Builds the HTTP server on an already bound listener. Signals are left
/// to the caller, which also stops the workers.
pub fn server(context: AppContext, listener: TcpListener) -> std::io::Result<Server> {
    let data = web::Data::new(context);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .wrap(security_headers())
            .wrap(actix_web::middleware::from_fn(logging::log_request))
            .configure(configure)
    })
    .disable_signals()
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}
