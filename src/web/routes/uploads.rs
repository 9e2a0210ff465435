//! `POST /api/uploads` hands out a signed address; `PUT /uploads/{key}`
//! streams the body to storage without holding it in memory.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use futures_util::StreamExt;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::app::AppContext;
use crate::links::{self, LinkError, Purpose};
use crate::uploads::{self, MAX_FILENAME_CHARS, NewUpload};
use crate::web::auth::ApiUser;
use crate::web::error::{ApiError, AppError};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadRequest {
    filename: Option<String>,
    size: Option<i64>,
    content_type: Option<String>,
}

#[derive(Deserialize)]
pub struct SignedQuery {
    purpose: Option<String>,
    expires: Option<i64>,
    signature: Option<String>,
}

fn too_large(limit: u64) -> AppError {
    AppError::TooLarge(format!(
        "The file is larger than the upload limit of {limit} bytes; split it into smaller files or ask the operator to raise --max-upload-size."
    ))
}

fn validate(request: &UploadRequest, limit: u64) -> Result<(String, i64, String), AppError> {
    let filename = request
        .filename
        .as_deref()
        .map(str::trim)
        .unwrap_or_default();
    if filename.is_empty() {
        return Err(AppError::invalid(
            "filename",
            "is required, such as orders.csv",
        ));
    }
    if filename.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "filename",
            "contains a control character, such as a NUL or a line break; send the name as it is shown",
        ));
    }
    if filename.chars().count() > MAX_FILENAME_CHARS {
        return Err(AppError::invalid(
            "filename",
            format!("is longer than {MAX_FILENAME_CHARS} characters"),
        ));
    }
    let size = request
        .size
        .ok_or_else(|| AppError::invalid("size", "is required: the file's size in bytes"))?;
    if size < 0 {
        return Err(AppError::invalid(
            "size",
            format!("{size} is negative; send the file's size in bytes"),
        ));
    }
    if size as u64 > limit {
        return Err(too_large(limit));
    }
    let content_type = request
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".to_string());
    Ok((filename.to_string(), size, content_type))
}

pub async fn create(
    context: web::Data<AppContext>,
    user: ApiUser,
    body: web::Json<UploadRequest>,
) -> Result<HttpResponse, ApiError> {
    let (filename, size, content_type) = validate(&body, context.settings.max_upload_size)?;
    let mut conn = context.db.conn().await?;
    let upload = uploads::create(
        &mut conn,
        NewUpload {
            user_id: user.0.user.id,
            filename: &filename,
            content_type: &content_type,
            declared_size: size,
        },
    )
    .await?;

    let expires_at = upload.expires_at.and_utc();
    let query = links::signed_query(
        &context.secret,
        &upload.upload_key,
        Purpose::Upload,
        expires_at,
    );
    tracing::info!(user_id = user.0.user.id, upload_key = %upload.upload_key, size, "upload address issued");
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "uploadUrl": format!("/uploads/{}?{query}", upload.upload_key),
        "uploadKey": upload.upload_key,
        "expiresAt": expires_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "maxSize": context.settings.max_upload_size,
    })))
}

fn check_signature(context: &AppContext, key: &str, query: &SignedQuery) -> Result<(), AppError> {
    let invalid = || {
        AppError::Forbidden(
            "The upload address is not valid; request a new one with POST /api/uploads."
                .to_string(),
        )
    };
    if query.purpose.as_deref() != Some(Purpose::Upload.as_str()) {
        return Err(invalid());
    }
    let (Some(expires), Some(signature)) = (query.expires, query.signature.as_deref()) else {
        return Err(invalid());
    };
    links::verify(
        &context.secret,
        key,
        Purpose::Upload,
        expires,
        signature,
        Utc::now(),
    )
    .map_err(|error| match error {
        LinkError::Invalid => invalid(),
        LinkError::Expired => AppError::Gone(
            "The upload address has expired; request a new one with POST /api/uploads.".to_string(),
        ),
    })
}

/// Receives the file. The signature in the address is the authority, so
/// the client needs no session. The body is streamed to a scratch file,
/// hashed on the way, and published to storage once complete.
pub async fn receive(
    context: web::Data<AppContext>,
    key: web::Path<String>,
    query: web::Query<SignedQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_signature(&context, &key, &query)?;
    let mut conn = context.db.conn().await?;
    let upload = uploads::find_by_key(&mut conn, &key)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    if upload.is_uploaded() {
        return Err(AppError::Conflict(
            "This upload already has its file; request a new upload for another file.".into(),
        )
        .into());
    }

    let limit = context
        .settings
        .max_upload_size
        .min(upload.declared_size.max(0) as u64);
    let scratch = context
        .settings
        .scratch_dir()
        .join(format!("upload-{}", upload.upload_key));
    let received = stream_to_file(payload, &scratch, limit, context.settings.max_upload_size).await;
    let (size, sha256) = match received {
        Ok(done) => done,
        Err(error) => {
            let _ = tokio::fs::remove_file(&scratch).await;
            return Err(error.into());
        }
    };

    context
        .storage
        .publish(&scratch, &upload.storage_key)
        .await?;
    let mut conn = context.db.conn().await?;
    uploads::mark_uploaded(&mut conn, upload.id, size as i64, &sha256).await?;
    let detail = serde_json::json!({"uploadKey": upload.upload_key, "size": size});
    crate::activity::record(&mut conn, upload.user_id, "upload", detail).await?;
    tracing::info!(upload_key = %upload.upload_key, size, "upload stored");

    Ok(HttpResponse::Ok().json(serde_json::json!({
        "uploadKey": upload.upload_key,
        "size": size,
        "sha256": sha256,
    })))
}

async fn stream_to_file(
    mut payload: web::Payload,
    path: &std::path::Path,
    declared_limit: u64,
    configured_limit: u64,
) -> Result<(u64, String), AppError> {
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(AppError::internal)?;
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;

    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| AppError::invalid("body", format!("the upload was interrupted: {e}")))?;
        size += chunk.len() as u64;
        if size > configured_limit {
            return Err(too_large(configured_limit));
        }
        if size > declared_limit {
            return Err(AppError::invalid(
                "body",
                format!(
                    "the file is larger than the {declared_limit} bytes declared in POST /api/uploads"
                ),
            ));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(AppError::internal)?;
    }
    file.sync_all().await.map_err(AppError::internal)?;
    Ok((size, hex::encode(hasher.finalize())))
}
