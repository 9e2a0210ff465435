//! The user's activity log: sign-ins, exports, imports, archive requests
//! and downloads. Details hold ids and counts, never secrets.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::db::schema::activity_log;
use crate::db::{Conn, DbError};
use crate::with_conn;

pub async fn record(
    conn: &mut Conn,
    user_id: i64,
    kind: &str,
    detail: serde_json::Value,
) -> Result<(), DbError> {
    let detail = detail.to_string();
    with_conn!(conn, c => diesel::insert_into(activity_log::table)
        .values((
            activity_log::user_id.eq(user_id),
            activity_log::kind.eq(kind),
            activity_log::detail.eq(&detail),
            activity_log::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(c)
        .await)?;
    Ok(())
}
