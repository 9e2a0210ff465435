//! Writes one chunk of an import in one transaction: the valid rows, the
//! errors and failed rows, and the job's checkpoint.
//!
//! The transaction body is written once, in [`chunk_body`], and expanded
//! twice: for SQLite it runs on the connection's blocking thread through
//! synchronous diesel, which can send a multi-row INSERT as one statement,
//! and for PostgreSQL through diesel-async. The checkpoint update names the
//! worker that holds the lease, so a worker that lost its job to another
//! rolls back instead of writing.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::Insertable;
use diesel::result::Error;

use super::records::{CustomerRecord, OrderRecord, ProductRecord};
use crate::db::schema::{
    customers, import_errors, import_failed_rows, jobs, order_items, orders, products,
};
use crate::db::{Conn, DbError};

/// Rows per INSERT of errors and failed rows, so that a chunk with many
/// errors stays under SQLite's limit of 32,766 bound parameters.
const ERROR_BATCH_ROWS: usize = 2_000;

#[derive(Insertable)]
#[diesel(table_name = customers, treat_none_as_default_value = false)]
pub struct CustomerRow {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = products, treat_none_as_default_value = false)]
pub struct ProductRow {
    pub user_id: i64,
    pub sku: String,
    pub name: String,
    pub description: Option<String>,
    pub price_minor: i64,
    pub currency: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = orders, treat_none_as_default_value = false)]
pub struct OrderRow {
    pub user_id: i64,
    pub order_number: String,
    pub customer_id: i64,
    pub status: String,
    pub currency: String,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub placed_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = order_items, treat_none_as_default_value = false)]
pub struct ItemRow {
    pub user_id: i64,
    pub order_id: i64,
    pub line_number: i32,
    pub product_sku: String,
    pub description: String,
    pub quantity: i32,
    pub unit_price_minor: i64,
    pub total_minor: i64,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = import_errors, treat_none_as_default_value = false)]
pub struct ErrorRow {
    pub job_id: String,
    pub row_number: i64,
    pub field: String,
    pub value: String,
    pub message: String,
}

#[derive(Insertable)]
#[diesel(table_name = import_failed_rows, treat_none_as_default_value = false)]
pub struct FailedRow {
    pub job_id: String,
    pub row_number: i64,
    pub message: String,
    pub values_json: String,
}

/// The valid rows of a chunk, ready for their tables.
pub enum DatasetRows {
    /// A dry run, or a chunk without valid rows.
    Nothing,
    Customers(Vec<CustomerRow>),
    Products(Vec<ProductRow>),
    /// Orders, with the customers they need: each order's customer is the
    /// one with its email, from `known` (the ids found before the
    /// transaction) or created from `new_customers`.
    Orders {
        new_customers: Vec<CustomerRow>,
        known: HashMap<String, i64>,
        orders: Vec<OrderRecord>,
    },
    Items(Vec<ItemRow>),
}

/// Flags for the optional columns that the file has. An upsert leaves a stored value
/// alone when its column is absent, so a file of emails and names does not
/// erase the customers' phone numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Present {
    pub company: bool,
    pub phone: bool,
    pub country: bool,
    pub city: bool,
    pub postal_code: bool,
    pub description: bool,
    pub active: bool,
}

/// Everything one chunk commits.
pub struct ChunkWrite {
    pub present: Present,
    pub job_id: String,
    pub worker_id: String,
    pub user_id: i64,
    pub now: NaiveDateTime,
    pub rows: DatasetRows,
    pub errors: Vec<ErrorRow>,
    pub failed: Vec<FailedRow>,
    pub checkpoint: String,
    pub current: i64,
}

/// Counts of a committed chunk.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ChunkCounts {
    /// Rows inserted or updated.
    pub imported: u64,
}

/// Reasons a chunk was not committed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Db(#[from] DbError),
    /// Another worker has the job now, so nothing was written.
    #[error("the job's lease was lost to another worker")]
    LeaseLost,
}

pub fn customer_row(user_id: i64, record: CustomerRecord, now: NaiveDateTime) -> CustomerRow {
    CustomerRow {
        user_id,
        email: record.email,
        name: record.name,
        company: record.company,
        phone: record.phone,
        country: record.country,
        city: record.city,
        postal_code: record.postal_code,
        created_at: record.created_at.unwrap_or(now),
        updated_at: now,
    }
}

pub fn product_row(user_id: i64, record: ProductRecord, now: NaiveDateTime) -> ProductRow {
    ProductRow {
        user_id,
        sku: record.sku,
        name: record.name,
        description: record.description,
        price_minor: record.price_minor,
        currency: record.currency,
        active: record.active,
        created_at: record.created_at.unwrap_or(now),
        updated_at: now,
    }
}

fn order_rows(
    user_id: i64,
    orders: &[OrderRecord],
    customer_ids: &HashMap<String, i64>,
    now: NaiveDateTime,
) -> Result<Vec<OrderRow>, Error> {
    let rows = orders.iter().map(|order| {
        let customer_id = *customer_ids
            .get(&order.customer_email)
            .ok_or(Error::NotFound)?;
        Ok(OrderRow {
            user_id,
            order_number: order.order_number.clone(),
            customer_id,
            status: order.status.clone(),
            currency: order.currency.clone(),
            subtotal_minor: order.subtotal_minor,
            tax_minor: order.tax_minor,
            total_minor: order.total_minor,
            placed_at: order.placed_at,
            created_at: order.placed_at,
            updated_at: now,
        })
    });
    rows.collect()
}

/// Expands to the transaction body for connection `$c`; `$($wait)*` is
/// `.await` for an asynchronous connection and nothing for a synchronous
/// one. Returns `Err(Error::RollbackTransaction)` when the lease is lost.
macro_rules! chunk_body {
    ($c:ident, $w:ident $(, $wait:tt)?) => {{
        let mut counts = ChunkCounts::default();
        match &$w.rows {
            DatasetRows::Customers(rows) if !rows.is_empty() => {
                counts.imported = diesel::insert_into(customers::table)
                    .values(rows)
                    .on_conflict((customers::user_id, customers::email))
                    .do_update()
                    .set((
                        customers::name.eq(excluded(customers::name)),
                        customers::company.eq(case_when($w.present.company.into_sql::<Bool>(), excluded(customers::company)).otherwise(customers::company)),
                        customers::phone.eq(case_when($w.present.phone.into_sql::<Bool>(), excluded(customers::phone)).otherwise(customers::phone)),
                        customers::country.eq(case_when($w.present.country.into_sql::<Bool>(), excluded(customers::country)).otherwise(customers::country)),
                        customers::city.eq(case_when($w.present.city.into_sql::<Bool>(), excluded(customers::city)).otherwise(customers::city)),
                        customers::postal_code.eq(case_when($w.present.postal_code.into_sql::<Bool>(), excluded(customers::postal_code)).otherwise(customers::postal_code)),
                        customers::updated_at.eq(excluded(customers::updated_at)),
                    ))
                    .execute($c)$(.$wait)?? as u64;
            }
            DatasetRows::Products(rows) if !rows.is_empty() => {
                counts.imported = diesel::insert_into(products::table)
                    .values(rows)
                    .on_conflict((products::user_id, products::sku))
                    .do_update()
                    .set((
                        products::name.eq(excluded(products::name)),
                        products::description.eq(case_when($w.present.description.into_sql::<Bool>(), excluded(products::description)).otherwise(products::description)),
                        products::price_minor.eq(excluded(products::price_minor)),
                        products::currency.eq(excluded(products::currency)),
                        products::active.eq(case_when($w.present.active.into_sql::<Bool>(), excluded(products::active)).otherwise(products::active)),
                        products::updated_at.eq(excluded(products::updated_at)),
                    ))
                    .execute($c)$(.$wait)?? as u64;
            }
            DatasetRows::Orders { new_customers, known, orders: records } if !records.is_empty() => {
                let mut ids = known.clone();
                if !new_customers.is_empty() {
                    let created: Vec<(String, i64)> = diesel::insert_into(customers::table)
                        .values(new_customers)
                        .on_conflict_do_nothing()
                        .returning((customers::email, customers::id))
                        .get_results($c)$(.$wait)??;
                    ids.extend(created);
                }
                // A customer another request created meanwhile was skipped
                // by the insert above, so it is read back here.
                let missing: Vec<&str> = records
                    .iter()
                    .map(|order| order.customer_email.as_str())
                    .filter(|email| !ids.contains_key(*email))
                    .collect();
                if !missing.is_empty() {
                    let found: Vec<(String, i64)> = customers::table
                        .filter(customers::user_id.eq($w.user_id))
                        .filter(customers::email.eq_any(&missing))
                        .select((customers::email, customers::id))
                        .load($c)$(.$wait)??;
                    ids.extend(found);
                }
                let rows = order_rows($w.user_id, records, &ids, $w.now)?;
                counts.imported = upsert_orders($c, &rows)$(.$wait)?? as u64;
            }
            DatasetRows::Items(rows) if !rows.is_empty() => {
                counts.imported = diesel::insert_into(order_items::table)
                    .values(rows)
                    .on_conflict((order_items::order_id, order_items::line_number))
                    .do_update()
                    .set((
                        order_items::product_sku.eq(excluded(order_items::product_sku)),
                        order_items::description.eq(case_when($w.present.description.into_sql::<Bool>(), excluded(order_items::description)).otherwise(order_items::description)),
                        order_items::quantity.eq(excluded(order_items::quantity)),
                        order_items::unit_price_minor.eq(excluded(order_items::unit_price_minor)),
                        order_items::total_minor.eq(excluded(order_items::total_minor)),
                    ))
                    .execute($c)$(.$wait)?? as u64;
            }
            // A dry run, or a chunk without valid rows.
            _ => {}
        }

        for batch in $w.errors.chunks(ERROR_BATCH_ROWS) {
            diesel::insert_into(import_errors::table)
                .values(batch)
                .execute($c)$(.$wait)??;
        }
        for batch in $w.failed.chunks(ERROR_BATCH_ROWS) {
            diesel::insert_into(import_failed_rows::table)
                .values(batch)
                .execute($c)$(.$wait)??;
        }

        let saved = diesel::update(
            jobs::table
                .filter(jobs::id.eq(&$w.job_id))
                .filter(jobs::lease_owner.eq(&$w.worker_id))
                .filter(jobs::status.eq("processing")),
        )
        .set((
            jobs::checkpoint.eq(&$w.checkpoint),
            jobs::progress_current.eq($w.current),
            jobs::updated_at.eq($w.now),
        ))
        .execute($c)$(.$wait)??;
        if saved == 0 {
            return Err(Error::RollbackTransaction);
        }
        Ok(counts)
    }};
}

/// Commits the chunk, or writes nothing.
pub async fn commit(conn: &mut Conn, write: ChunkWrite) -> Result<ChunkCounts, WriteError> {
    let committed = match conn {
        Conn::Postgres(pooled) => postgres::commit(pooled, &write).await,
        Conn::Sqlite(pooled) => {
            pooled
                .spawn_blocking(move |c| sqlite::commit(c, &write))
                .await
        }
    };

    match committed {
        Ok(counts) => Ok(counts),
        Err(Error::RollbackTransaction) => Err(WriteError::LeaseLost),
        Err(error) => Err(WriteError::Db(DbError::from(error))),
    }
}

mod postgres {
    use diesel::IntoSql;
    use diesel::dsl::case_when;
    use diesel::result::Error;
    use diesel::sql_types::Bool;
    use diesel::upsert::excluded;
    use diesel::{ExpressionMethods, QueryDsl};
    use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

    use super::*;

    /// Upserts orders with one array per column. The statement text stays
    /// the same for every chunk, so PostgreSQL parses it once, where a
    /// 1,000-row VALUES list costs a parse and a plan of 11,000 parameters
    /// per chunk.
    async fn upsert_orders(c: &mut AsyncPgConnection, rows: &[OrderRow]) -> Result<usize, Error> {
        use diesel::sql_types::{Array, BigInt, Text, Timestamp};

        let column = |f: fn(&OrderRow) -> String| rows.iter().map(f).collect::<Vec<String>>();
        let amounts = |f: fn(&OrderRow) -> i64| rows.iter().map(f).collect::<Vec<i64>>();
        let times = |f: fn(&OrderRow) -> chrono::NaiveDateTime| {
            rows.iter().map(f).collect::<Vec<chrono::NaiveDateTime>>()
        };
        diesel::sql_query(UPSERT_ORDERS)
            .bind::<Array<BigInt>, _>(amounts(|r| r.user_id))
            .bind::<Array<Text>, _>(column(|r| r.order_number.clone()))
            .bind::<Array<BigInt>, _>(amounts(|r| r.customer_id))
            .bind::<Array<Text>, _>(column(|r| r.status.clone()))
            .bind::<Array<Text>, _>(column(|r| r.currency.clone()))
            .bind::<Array<BigInt>, _>(amounts(|r| r.subtotal_minor))
            .bind::<Array<BigInt>, _>(amounts(|r| r.tax_minor))
            .bind::<Array<BigInt>, _>(amounts(|r| r.total_minor))
            .bind::<Array<Timestamp>, _>(times(|r| r.placed_at))
            .bind::<Array<Timestamp>, _>(times(|r| r.created_at))
            .bind::<Array<Timestamp>, _>(times(|r| r.updated_at))
            .execute(c)
            .await
    }

    const UPSERT_ORDERS: &str = "INSERT INTO orders (user_id, order_number, customer_id, status, \
        currency, subtotal_minor, tax_minor, total_minor, placed_at, created_at, updated_at) \
        SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], \
        $6::bigint[], $7::bigint[], $8::bigint[], $9::timestamp[], $10::timestamp[], \
        $11::timestamp[]) \
        ON CONFLICT (user_id, order_number) DO UPDATE SET customer_id = excluded.customer_id, \
        status = excluded.status, currency = excluded.currency, \
        subtotal_minor = excluded.subtotal_minor, tax_minor = excluded.tax_minor, \
        total_minor = excluded.total_minor, placed_at = excluded.placed_at, \
        updated_at = excluded.updated_at";

    pub(super) async fn commit(
        c: &mut AsyncPgConnection,
        write: &ChunkWrite,
    ) -> Result<ChunkCounts, Error> {
        c.transaction::<_, Error, _>(async |c| chunk_body!(c, write, await))
            .await
    }
}

mod sqlite {
    use diesel::IntoSql;
    use diesel::dsl::case_when;
    use diesel::result::Error;
    use diesel::sql_types::Bool;
    use diesel::upsert::excluded;
    use diesel::{Connection, ExpressionMethods, QueryDsl, RunQueryDsl, SqliteConnection};

    use super::*;

    fn upsert_orders(c: &mut SqliteConnection, rows: &[OrderRow]) -> Result<usize, Error> {
        diesel::insert_into(orders::table)
            .values(rows)
            .on_conflict((orders::user_id, orders::order_number))
            .do_update()
            .set((
                orders::customer_id.eq(excluded(orders::customer_id)),
                orders::status.eq(excluded(orders::status)),
                orders::currency.eq(excluded(orders::currency)),
                orders::subtotal_minor.eq(excluded(orders::subtotal_minor)),
                orders::tax_minor.eq(excluded(orders::tax_minor)),
                orders::total_minor.eq(excluded(orders::total_minor)),
                orders::placed_at.eq(excluded(orders::placed_at)),
                orders::updated_at.eq(excluded(orders::updated_at)),
            ))
            .execute(c)
    }

    pub(super) fn commit(
        c: &mut SqliteConnection,
        write: &ChunkWrite,
    ) -> Result<ChunkCounts, Error> {
        c.transaction::<_, Error, _>(|c| chunk_body!(c, write))
    }
}
