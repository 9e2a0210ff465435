//! Who is calling: a signed session cookie from the browser, or an API
//! token in `Authorization: Bearer`.
//!
//! [`ApiUser`] rejects with a JSON 401 and checks the CSRF header on
//! state-changing requests made with a session cookie; [`PageUser`] sends
//! the browser to the sign-in page.

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::csrf;
use super::error::{ApiError, AppError, PageError};
use crate::accounts::{self, SESSION_TTL_DAYS, User};
use crate::app::AppContext;

pub const SESSION_COOKIE: &str = "ferry_session";

/// The credential the caller authenticated with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMethod {
    Session(String),
    Token,
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub user: User,
    pub method: AuthMethod,
}

pub struct ApiUser(pub Identity);
pub struct PageUser(pub Identity);
/// The caller's identity if signed in; never rejects.
pub struct MaybeUser(pub Option<Identity>);

pub fn context(req: &HttpRequest) -> Result<web::Data<AppContext>, AppError> {
    req.app_data::<web::Data<AppContext>>()
        .cloned()
        .ok_or_else(|| AppError::internal("application context missing"))
}

/// Builds the session cookie: the secret and its HMAC, HttpOnly and
/// SameSite=Lax, Secure when Ferry is served over HTTPS.
pub fn session_cookie(context: &AppContext, secret: &str) -> Cookie<'static> {
    let signature = context.secret.sign(&format!("session\n{secret}"));
    Cookie::build(SESSION_COOKIE, format!("{secret}.{signature}"))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(context.settings.base_url().starts_with("https://"))
        .max_age(time::Duration::days(SESSION_TTL_DAYS))
        .finish()
}

pub fn removal_cookie() -> Cookie<'static> {
    let mut cookie = Cookie::build(SESSION_COOKIE, "").path("/").finish();
    cookie.make_removal();
    cookie
}

/// Returns the session secret from a cookie whose signature verifies.
pub fn session_secret(context: &AppContext, req: &HttpRequest) -> Option<String> {
    let cookie = req.cookie(SESSION_COOKIE)?;
    let (secret, signature) = cookie.value().rsplit_once('.')?;
    context
        .secret
        .verify(&format!("session\n{secret}"), signature)
        .then(|| secret.to_string())
}

fn bearer_token(req: &HttpRequest) -> Option<String> {
    let header = req.headers().get("Authorization")?.to_str().ok()?;
    let (scheme, token) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then(|| token.to_string())
}

async fn identify(req: &HttpRequest) -> Result<Option<Identity>, AppError> {
    let context = context(req)?;
    let mut conn = context.db.conn().await?;

    if let Some(token) = bearer_token(req) {
        let user = accounts::find_token_user(&mut conn, &token).await?;
        return match user {
            Some(user) => Ok(Some(Identity {
                user,
                method: AuthMethod::Token,
            })),
            None => Err(AppError::Unauthorized),
        };
    }

    let Some(secret) = session_secret(&context, req) else {
        return Ok(None);
    };
    let user = accounts::find_session_user(&mut conn, &secret).await?;
    Ok(user.map(|user| Identity {
        user,
        method: AuthMethod::Session(secret),
    }))
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let identity = identify(&req).await?.ok_or(AppError::Unauthorized)?;
            if identity.method != AuthMethod::Token && changes_state(req.method()) {
                csrf::verify_header(&req)?;
            }
            Ok(ApiUser(identity))
        })
    }
}

impl FromRequest for PageUser {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let identity = identify(&req).await?.ok_or(AppError::Unauthorized)?;
            Ok(PageUser(identity))
        })
    }
}

impl FromRequest for MaybeUser {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(MaybeUser(identify(&req).await.ok().flatten())) })
    }
}
