//! The one place where errors become HTTP responses.
//!
//! Handlers return [`ApiError`] (JSON `{"error": {"code", "message"}}`) or
//! [`PageError`] (an HTML page). Both wrap [`AppError`]; the user sees what
//! failed and what to do, and the cause of a 500 goes to the log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::db::DbError;

#[derive(thiserror::Error, Debug)]
pub enum AppError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// A request the browser sent malformed, such as a form without its
    /// fields.
    #[error("{0}")]
    BadRequest(String),
    #[error("not found")]
    NotFound,
    #[error("sign in first")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        AppError::Internal(cause.to_string())
    }

    fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::Invalid { .. } => "invalid_request",
            AppError::BadRequest(_) => "bad_request",
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::Conflict(_) => "conflict",
            AppError::Gone(_) => "gone",
            AppError::TooLarge(_) => "too_large",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::Internal(_) => "internal",
        }
    }

    /// Returns the text shown to the user, which never includes an
    /// internal cause.
    fn public_message(&self) -> String {
        match self {
            AppError::Invalid { field, message } => format!("{field}: {message}"),
            AppError::NotFound => "Nothing was found at this address.".to_string(),
            AppError::Unauthorized => {
                "Sign in, or send an API token as Authorization: Bearer TOKEN.".to_string()
            }
            AppError::BadRequest(message)
            | AppError::Forbidden(message)
            | AppError::Conflict(message)
            | AppError::Gone(message)
            | AppError::TooLarge(message)
            | AppError::UnsupportedMediaType(message) => message.clone(),
            AppError::Internal(_) => {
                "Something went wrong on our side. Try again in a minute.".to_string()
            }
        }
    }

    fn log(&self) {
        if let AppError::Internal(cause) = self {
            tracing::error!(%cause, "request failed");
        }
    }
}

impl From<DbError> for AppError {
    fn from(error: DbError) -> Self {
        AppError::internal(error)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        AppError::internal(error)
    }
}

impl From<crate::storage::StorageError> for AppError {
    fn from(error: crate::storage::StorageError) -> Self {
        AppError::internal(error)
    }
}

/// An error returned as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError(error.into())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log();
        let mut error = serde_json::json!({
            "code": self.0.code(),
            "message": self.0.public_message(),
        });
        if let AppError::Invalid { field, .. } = &self.0 {
            error["field"] = serde_json::Value::String(field.clone());
        }
        HttpResponse::build(self.0.status()).json(serde_json::json!({ "error": error }))
    }
}

/// An error returned as an HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    expired: bool,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log();
        if matches!(self.0, AppError::Unauthorized) {
            return HttpResponse::SeeOther()
                .insert_header(("Location", "/signin"))
                .finish();
        }

        let title = match self.0 {
            AppError::NotFound => "Not found",
            AppError::Gone(_) => "Link expired",
            AppError::Forbidden(_) => "Not allowed",
            AppError::Invalid { .. } => "Check the form",
            _ => "Something went wrong",
        };
        let message = self.0.public_message();
        let page = ErrorPage {
            title,
            message: &message,
            expired: matches!(self.0, AppError::Gone(_)),
        };
        let body = page.render().unwrap_or_else(|_| message.clone());
        HttpResponse::build(self.0.status())
            .content_type("text/html; charset=utf-8")
            .body(body)
    }
}
