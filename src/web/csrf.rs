//! CSRF protection for forms and for script requests made with the session
//! cookie.
//!
//! The browser keeps a random value in an HttpOnly, SameSite=Strict cookie,
//! and each form or request carries the HMAC of that value. Another site
//! can neither read the cookie nor compute the HMAC without the server's
//! key. Requests authenticated by API token carry no cookie and need no
//! token.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponseBuilder};

use super::auth::context;
use super::error::AppError;
use crate::app::AppContext;

const CSRF_COOKIE: &str = "ferry_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";
pub const CSRF_FIELD: &str = "csrf_token";

/// The token to embed in a page, and the cookie to set when the browser has
/// none yet.
pub struct CsrfToken {
    pub token: String,
    cookie: Option<Cookie<'static>>,
}

impl CsrfToken {
    /// Sets the cookie on the response when a new one was made.
    pub fn apply(&self, response: &mut HttpResponseBuilder) {
        if let Some(cookie) = &self.cookie {
            response.cookie(cookie.clone());
        }
    }
}

fn token_for(context: &AppContext, value: &str) -> String {
    context.secret.sign(&format!("csrf\n{value}"))
}

/// Returns the token for this browser, making a cookie if needed.
pub fn issue(context: &AppContext, req: &HttpRequest) -> CsrfToken {
    if let Some(cookie) = req.cookie(CSRF_COOKIE) {
        return CsrfToken {
            token: token_for(context, cookie.value()),
            cookie: None,
        };
    }

    let value = crate::jobs::queue::new_job_id();
    let cookie = Cookie::build(CSRF_COOKIE, value.clone())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(context.settings.base_url().starts_with("https://"))
        .finish();
    CsrfToken {
        token: token_for(context, &value),
        cookie: Some(cookie),
    }
}

/// Checks a submitted token against the browser's cookie.
pub fn verify(req: &HttpRequest, submitted: &str) -> Result<(), AppError> {
    let context = context(req)?;
    let rejected = || {
        AppError::Forbidden(
            "The form expired or came from another site. Reload the page and try again."
                .to_string(),
        )
    };
    let cookie = req.cookie(CSRF_COOKIE).ok_or_else(rejected)?;
    let message = format!("csrf\n{}", cookie.value());
    if context.secret.verify(&message, submitted) {
        Ok(())
    } else {
        Err(rejected())
    }
}

/// Checks the `X-CSRF-Token` header of a script request.
pub fn verify_header(req: &HttpRequest) -> Result<(), AppError> {
    let submitted = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    verify(req, &submitted).map_err(|_| {
        AppError::Forbidden(format!(
            "Requests signed in with a session cookie need the {CSRF_HEADER} header from the page; scripts should use an API token instead."
        ))
    })
}
