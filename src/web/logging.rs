//! One log line per request, inside a span that carries a request id.
//!
//! Only the path is logged: query strings can hold link signatures.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use tracing::Instrument;

pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let request_id = crate::jobs::queue::new_job_id();
    let span = tracing::info_span!("request", request_id = %&request_id[..12], method = %req.method(), path = %req.path());
    let started = Instant::now();

    async move {
        let response = next.call(req).await?;
        let status = response.status().as_u16();
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::error!(status, millis, "request finished");
        } else {
            tracing::info!(status, millis, "request finished");
        }
        Ok(response)
    }
    .instrument(span)
    .await
}
