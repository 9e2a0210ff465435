//! Orders on PostgreSQL through one server-side cursor.
//!
//! Keyset pages cost PostgreSQL an index probe per order for its customer
//! on every page. A cursor runs the whole export as one query, which the
//! planner can run as a hash join over the customers, and each
//! `FETCH` returns the next rows of that single plan. The cursor lives in
//! the export's REPEATABLE READ transaction, so it reads the same snapshot
//! as every other query of the export.

use chrono::NaiveDateTime;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};

use super::queries::{Batch, Cursor, load_order_children, order_row};
use super::{ExportFilters, ORDER_STATUSES};
use crate::db::{Conn, DbError};
use crate::with_conn;

const CURSOR_NAME: &str = "ferry_export_orders";

#[derive(QueryableByName)]
struct OrderLine {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    order_number: String,
    #[diesel(sql_type = Timestamp)]
    placed_at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    email: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    currency: String,
    #[diesel(sql_type = BigInt)]
    subtotal_minor: i64,
    #[diesel(sql_type = BigInt)]
    tax_minor: i64,
    #[diesel(sql_type = BigInt)]
    total_minor: i64,
}

/// Returns `text` as an SQL string literal. Only values Ferry made or
/// checked reach it: formatted timestamps and statuses from
/// [`ORDER_STATUSES`].
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn timestamp_literal(time: NaiveDateTime) -> String {
    literal(&time.format("%Y-%m-%d %H:%M:%S%.f").to_string())
}

/// Builds the cursor's query. `DECLARE` takes no bound parameters, so the
/// values are written into the text. Each is an integer, a timestamp that
/// Ferry formats, or a known status.
fn declare_statement(user_id: i64, filters: &ExportFilters) -> String {
    let (start, end) = filters.time_range();
    let statuses: Vec<String> = filters
        .statuses()
        .iter()
        .filter(|status| ORDER_STATUSES.contains(&status.as_str()))
        .map(|status| literal(status))
        .collect();

    format!(
        "DECLARE {CURSOR_NAME} NO SCROLL CURSOR FOR \
         SELECT o.id, o.order_number, o.placed_at, o.status, c.email, c.name, o.currency, \
         o.subtotal_minor, o.tax_minor, o.total_minor \
         FROM orders o JOIN customers c ON c.id = o.customer_id \
         WHERE o.user_id = {user_id} AND o.placed_at >= {} AND o.placed_at < {} \
         AND o.status IN ({}) \
         ORDER BY o.placed_at, o.id",
        timestamp_literal(start),
        timestamp_literal(end),
        statuses.join(", ")
    )
}

/// Opens the cursor inside the current transaction. `cursor_tuple_fraction`
/// tells the planner that every row will be read, so it plans for the whole export rather
/// than for the first page.
pub async fn open(
    c: &mut AsyncPgConnection,
    user_id: i64,
    filters: &ExportFilters,
) -> Result<(), DbError> {
    c.batch_execute("SET LOCAL cursor_tuple_fraction = 1.0")
        .await?;
    c.batch_execute(&declare_statement(user_id, filters))
        .await?;
    Ok(())
}

/// Fetches the next `limit` orders; an empty batch has no `next`.
pub async fn fetch(conn: &mut Conn, limit: i64, nested: bool) -> Result<Batch, DbError> {
    let statement = format!("FETCH {limit} FROM {CURSOR_NAME}");
    let lines: Vec<OrderLine> = with_conn!(conn, c => diesel::sql_query(&statement).load(c).await)?;

    let next = lines.last().map(|line| Cursor {
        time: line.placed_at,
        id: line.id,
    });
    let mut children = if nested {
        let ids: Vec<i64> = lines.iter().map(|line| line.id).collect();
        load_order_children(conn, &ids).await?
    } else {
        Default::default()
    };

    let rows = lines
        .into_iter()
        .map(|line| {
            let nested_rows = children.remove(&line.id).unwrap_or_default();
            order_row(
                line.order_number,
                line.placed_at,
                line.status,
                Some((line.email, line.name)),
                &line.currency,
                (line.subtotal_minor, line.tax_minor, line.total_minor),
                nested_rows,
            )
        })
        .collect();
    Ok(Batch { rows, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declare_quotes_every_value() {
        let filters = ExportFilters::parse(
            super::super::Dataset::Orders,
            Some(&serde_json::json!({"from": "2024-01-01", "status": ["paid"]})),
        )
        .unwrap();
        let statement = declare_statement(7, &filters);
        assert!(statement.contains("o.user_id = 7"), "{statement}");
        assert!(
            statement.contains("o.placed_at >= '2024-01-01 00:00:00'"),
            "{statement}"
        );
        assert!(statement.contains("o.status IN ('paid')"), "{statement}");
    }

    #[test]
    fn literal_doubles_quotes() {
        assert_eq!(literal("o'brien"), "'o''brien'");
    }
}
