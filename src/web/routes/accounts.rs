//! Sign-up, sign-in and sign-out pages.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use crate::accounts::{self, AccountError};
use crate::app::AppContext;
use crate::web::auth::{self, MaybeUser, PageUser};
use crate::web::csrf::{self, CsrfToken};
use crate::web::error::{AppError, PageError};

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage<'a> {
    csrf: &'a str,
    email: &'a str,
    error: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage<'a> {
    csrf: &'a str,
    email: &'a str,
    error: Option<&'a str>,
}

#[derive(Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
    csrf_token: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf_token: String,
}

/// Renders a page with status `status`, setting the CSRF cookie if new.
pub fn html(
    status: actix_web::http::StatusCode,
    csrf: &CsrfToken,
    body: Result<String, askama::Error>,
) -> Result<HttpResponse, PageError> {
    let body = body.map_err(AppError::internal)?;
    let mut response = HttpResponse::build(status);
    csrf.apply(&mut response);
    Ok(response.content_type("text/html; charset=utf-8").body(body))
}

pub fn see_other(location: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::SeeOther();
    response.insert_header(("Location", location.to_string()));
    response
}

/// Redirects to `location` after a page's cancel or resume button. A
/// conflict, such as cancelling a job that has just finished, is no error
/// there, because the page it returns to shows the job's state.
pub fn after_job_action<T>(
    result: Result<T, AppError>,
    location: &str,
) -> Result<HttpResponse, PageError> {
    match result {
        Ok(_) | Err(AppError::Conflict(_)) => Ok(see_other(location).finish()),
        Err(error) => Err(error.into()),
    }
}

pub async fn home(user: MaybeUser) -> HttpResponse {
    let target = if user.0.is_some() {
        "/exports"
    } else {
        "/signin"
    };
    see_other(target).finish()
}

pub async fn signin_page(
    req: HttpRequest,
    context: web::Data<AppContext>,
) -> Result<HttpResponse, PageError> {
    let csrf = csrf::issue(&context, &req);
    let page = SignInPage {
        csrf: &csrf.token,
        email: "",
        error: None,
    };
    html(actix_web::http::StatusCode::OK, &csrf, page.render())
}

pub async fn signup_page(
    req: HttpRequest,
    context: web::Data<AppContext>,
) -> Result<HttpResponse, PageError> {
    let csrf = csrf::issue(&context, &req);
    let page = SignUpPage {
        csrf: &csrf.token,
        email: "",
        error: None,
    };
    html(actix_web::http::StatusCode::OK, &csrf, page.render())
}

pub async fn signin(
    req: HttpRequest,
    context: web::Data<AppContext>,
    form: web::Form<Credentials>,
) -> Result<HttpResponse, PageError> {
    csrf::verify(&req, &form.csrf_token)?;
    let mut conn = context.db.conn().await?;
    let Some(user) = accounts::authenticate(&mut conn, &form.email, &form.password).await? else {
        let csrf = csrf::issue(&context, &req);
        let page = SignInPage {
            csrf: &csrf.token,
            email: &form.email,
            error: Some("The email or password is incorrect."),
        };
        return html(
            actix_web::http::StatusCode::UNAUTHORIZED,
            &csrf,
            page.render(),
        );
    };

    let secret = accounts::create_session(&mut conn, user.id).await?;
    crate::activity::record(&mut conn, user.id, "sign_in", json!({})).await?;
    tracing::info!(user_id = user.id, "signed in");
    Ok(see_other("/exports")
        .cookie(auth::session_cookie(&context, &secret))
        .finish())
}

pub async fn signup(
    req: HttpRequest,
    context: web::Data<AppContext>,
    form: web::Form<Credentials>,
) -> Result<HttpResponse, PageError> {
    csrf::verify(&req, &form.csrf_token)?;
    let mut conn = context.db.conn().await?;
    let user = match accounts::create_user(&mut conn, &form.email, &form.password).await {
        Ok(user) => user,
        Err(AccountError::Db(error)) => return Err(AppError::from(error).into()),
        Err(error) => {
            let csrf = csrf::issue(&context, &req);
            let message = error.to_string();
            let page = SignUpPage {
                csrf: &csrf.token,
                email: &form.email,
                error: Some(&message),
            };
            return html(
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
                &csrf,
                page.render(),
            );
        }
    };

    let secret = accounts::create_session(&mut conn, user.id).await?;
    tracing::info!(user_id = user.id, "account created");
    Ok(see_other("/exports")
        .cookie(auth::session_cookie(&context, &secret))
        .finish())
}

pub async fn signout(
    req: HttpRequest,
    context: web::Data<AppContext>,
    user: PageUser,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    csrf::verify(&req, &form.csrf_token)?;
    if let auth::AuthMethod::Session(secret) = &user.0.method {
        let mut conn = context.db.conn().await?;
        accounts::delete_session(&mut conn, secret).await?;
    }
    Ok(see_other("/signin").cookie(auth::removal_cookie()).finish())
}
