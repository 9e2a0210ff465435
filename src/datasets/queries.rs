//! Keyset-paginated reads of each dataset in (time, id) order, where the
//! time is `placed_at` for orders and `created_at` for the rest.
//!
//! Each page continues from a [`Cursor`] with `time >= t AND (time > t OR
//! id > i)`, which an index on `(user_id, time, id)` serves by reading
//! exactly the page, whatever the date filter and however deep the export
//! is. Paging on `id` alone let planners without statistics pick the time
//! index and sort every matching row for every page. The caller runs the
//! pages inside one read transaction, so they all see the same snapshot.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::columns::{NESTED_ITEM_COLUMNS, NESTED_PAYMENT_COLUMNS};
use super::{Dataset, ExportFilters};
use crate::db::schema::{customers, order_items, orders, payments, products};
use crate::db::{Conn, DbError};
use crate::formats::{Cell, Child, Row};
use crate::money::format_minor;
use crate::with_conn;

/// The position after the last row read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub time: NaiveDateTime,
    pub id: i64,
}

impl Cursor {
    /// Returns the cursor before the first row of `filters`' range.
    pub fn start(filters: &ExportFilters) -> Self {
        Cursor {
            time: filters.time_range().0,
            id: 0,
        }
    }
}

/// The source of an export's next batch.
pub enum BatchSource {
    /// Keyset pages that continue after the cursor.
    Keyset(Cursor),
    /// The server-side cursor of orders on PostgreSQL.
    OrdersCursor,
}

impl BatchSource {
    /// Opens the source of an export inside its snapshot: the orders cursor
    /// on PostgreSQL, keyset pages otherwise.
    pub async fn open(
        conn: &mut Conn,
        dataset: Dataset,
        user_id: i64,
        filters: &ExportFilters,
    ) -> Result<Self, DbError> {
        if let (Dataset::Orders, Conn::Postgres(pooled)) = (dataset, &mut *conn) {
            super::orders_cursor::open(pooled, user_id, filters).await?;
            return Ok(BatchSource::OrdersCursor);
        }
        Ok(BatchSource::Keyset(Cursor::start(filters)))
    }

    /// Reads the next batch of up to `limit` rows; `next` is `None` at the
    /// end.
    pub async fn next(
        &mut self,
        conn: &mut Conn,
        dataset: Dataset,
        user_id: i64,
        filters: &ExportFilters,
        limit: i64,
        nested: bool,
    ) -> Result<Batch, DbError> {
        match self {
            BatchSource::OrdersCursor => super::orders_cursor::fetch(conn, limit, nested).await,
            BatchSource::Keyset(after) => {
                let batch =
                    fetch_batch(conn, dataset, user_id, filters, *after, limit, nested).await?;
                if let Some(next) = batch.next {
                    *after = next;
                }
                Ok(batch)
            }
        }
    }
}

/// One page of rows and the cursor to continue from.
pub struct Batch {
    pub rows: Vec<Row>,
    pub next: Option<Cursor>,
}

fn text(value: String) -> Cell {
    Cell::Text(value)
}

fn optional_text(value: Option<String>) -> Cell {
    value.map_or(Cell::Null, Cell::Text)
}

fn optional_identifier(value: Option<String>) -> Cell {
    value.map_or(Cell::Null, Cell::Identifier)
}

fn money(amount: i64, currency: &str) -> Cell {
    Cell::Decimal(format_minor(amount, currency))
}

/// Counts the rows an export will write.
pub async fn count_rows(
    conn: &mut Conn,
    dataset: Dataset,
    user_id: i64,
    filters: &ExportFilters,
) -> Result<i64, DbError> {
    let (start, end) = filters.time_range();
    let count = match dataset {
        Dataset::Customers => with_conn!(conn, c => customers::table
            .filter(customers::user_id.eq(user_id))
            .filter(customers::created_at.ge(start).and(customers::created_at.lt(end)))
            .count()
            .get_result(c)
            .await)?,
        Dataset::Products => with_conn!(conn, c => products::table
            .filter(products::user_id.eq(user_id))
            .filter(products::created_at.ge(start).and(products::created_at.lt(end)))
            .count()
            .get_result(c)
            .await)?,
        Dataset::Orders => {
            let statuses = filters.statuses();
            with_conn!(conn, c => orders::table
                .filter(orders::user_id.eq(user_id))
                .filter(orders::placed_at.ge(start).and(orders::placed_at.lt(end)))
                .filter(orders::status.eq_any(&statuses))
                .count()
                .get_result(c)
                .await)?
        }
        Dataset::OrderItems => with_conn!(conn, c => order_items::table
            .filter(order_items::user_id.eq(user_id))
            .filter(order_items::created_at.ge(start).and(order_items::created_at.lt(end)))
            .count()
            .get_result(c)
            .await)?,
    };
    Ok(count)
}

/// Reads up to `limit` rows after the cursor `after`. `nested` adds each order's
/// items and payments, which only JSON and NDJSON write.
pub async fn fetch_batch(
    conn: &mut Conn,
    dataset: Dataset,
    user_id: i64,
    filters: &ExportFilters,
    after: Cursor,
    limit: i64,
    nested: bool,
) -> Result<Batch, DbError> {
    match dataset {
        Dataset::Customers => fetch_customers(conn, user_id, filters, after, limit).await,
        Dataset::Products => fetch_products(conn, user_id, filters, after, limit).await,
        Dataset::Orders => fetch_orders(conn, user_id, filters, after, limit, nested).await,
        Dataset::OrderItems => fetch_order_items(conn, user_id, filters, after, limit).await,
    }
}

type CustomerRecord = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    NaiveDateTime,
    NaiveDateTime,
);

async fn fetch_customers(
    conn: &mut Conn,
    user_id: i64,
    filters: &ExportFilters,
    after: Cursor,
    limit: i64,
) -> Result<Batch, DbError> {
    let (_, end) = filters.time_range();
    let records: Vec<CustomerRecord> = with_conn!(conn, c => customers::table
        .filter(customers::user_id.eq(user_id))
        .filter(customers::created_at.ge(after.time).and(customers::created_at.lt(end)))
        .filter(customers::created_at.gt(after.time).or(customers::id.gt(after.id)))
        .order((customers::created_at.asc(), customers::id.asc()))
        .limit(limit)
        .select((
            customers::id,
            customers::email,
            customers::name,
            customers::company,
            customers::phone,
            customers::country,
            customers::city,
            customers::postal_code,
            customers::created_at,
            customers::updated_at,
        ))
        .load(c)
        .await)?;

    let next = records.last().map(|record| Cursor {
        time: record.8,
        id: record.0,
    });
    let rows = records
        .into_iter()
        .map(
            |(_, email, name, company, phone, country, city, postal_code, created, updated)| Row {
                cells: vec![
                    text(email),
                    text(name),
                    optional_text(company),
                    optional_identifier(phone),
                    optional_text(country),
                    optional_text(city),
                    optional_identifier(postal_code),
                    Cell::Timestamp(created),
                    Cell::Timestamp(updated),
                ],
                children: Vec::new(),
            },
        )
        .collect();
    Ok(Batch { rows, next })
}

type ProductRecord = (
    i64,
    String,
    String,
    Option<String>,
    i64,
    String,
    bool,
    NaiveDateTime,
    NaiveDateTime,
);

async fn fetch_products(
    conn: &mut Conn,
    user_id: i64,
    filters: &ExportFilters,
    after: Cursor,
    limit: i64,
) -> Result<Batch, DbError> {
    let (_, end) = filters.time_range();
    let records: Vec<ProductRecord> = with_conn!(conn, c => products::table
        .filter(products::user_id.eq(user_id))
        .filter(products::created_at.ge(after.time).and(products::created_at.lt(end)))
        .filter(products::created_at.gt(after.time).or(products::id.gt(after.id)))
        .order((products::created_at.asc(), products::id.asc()))
        .limit(limit)
        .select((
            products::id,
            products::sku,
            products::name,
            products::description,
            products::price_minor,
            products::currency,
            products::active,
            products::created_at,
            products::updated_at,
        ))
        .load(c)
        .await)?;

    let next = records.last().map(|record| Cursor {
        time: record.7,
        id: record.0,
    });
    let rows = records
        .into_iter()
        .map(
            |(_, sku, name, description, price, currency, active, created, updated)| Row {
                cells: vec![
                    Cell::Identifier(sku),
                    text(name),
                    optional_text(description),
                    money(price, &currency),
                    text(currency),
                    Cell::Bool(active),
                    Cell::Timestamp(created),
                    Cell::Timestamp(updated),
                ],
                children: Vec::new(),
            },
        )
        .collect();
    Ok(Batch { rows, next })
}

/// Order id, number, placed_at, status, customer id, currency, subtotal,
/// tax and total.
type OrderRecord = (
    i64,
    String,
    NaiveDateTime,
    String,
    i64,
    String,
    i64,
    i64,
    i64,
);

async fn fetch_orders(
    conn: &mut Conn,
    user_id: i64,
    filters: &ExportFilters,
    after: Cursor,
    limit: i64,
    nested: bool,
) -> Result<Batch, DbError> {
    let (_, end) = filters.time_range();
    let statuses = filters.statuses();
    let records: Vec<OrderRecord> = with_conn!(conn, c => orders::table
        .filter(orders::user_id.eq(user_id))
        .filter(orders::placed_at.ge(after.time).and(orders::placed_at.lt(end)))
        .filter(orders::placed_at.gt(after.time).or(orders::id.gt(after.id)))
        .filter(orders::status.eq_any(&statuses))
        .order((orders::placed_at.asc(), orders::id.asc()))
        .limit(limit)
        .select((
            orders::id,
            orders::order_number,
            orders::placed_at,
            orders::status,
            orders::customer_id,
            orders::currency,
            orders::subtotal_minor,
            orders::tax_minor,
            orders::total_minor,
        ))
        .load(c)
        .await)?;

    let next = records.last().map(|record| Cursor {
        time: record.2,
        id: record.0,
    });
    let people = load_customers(conn, &records).await?;
    let mut children = if nested {
        let ids: Vec<i64> = records.iter().map(|record| record.0).collect();
        load_order_children(conn, &ids).await?
    } else {
        HashMap::new()
    };

    let rows = records
        .into_iter()
        .map(
            |(id, number, placed, status, customer, currency, subtotal, tax, total)| {
                order_row(
                    number,
                    placed,
                    status,
                    people.get(&customer).cloned(),
                    &currency,
                    (subtotal, tax, total),
                    children.remove(&id).unwrap_or_default(),
                )
            },
        )
        .collect();
    Ok(Batch { rows, next })
}

/// Builds the row of one order; `person` is its customer's email and name.
pub(super) fn order_row(
    number: String,
    placed: NaiveDateTime,
    status: String,
    person: Option<(String, String)>,
    currency: &str,
    (subtotal, tax, total): (i64, i64, i64),
    children: Vec<Child>,
) -> Row {
    let (email, name) = match person {
        Some((email, name)) => (text(email), text(name)),
        None => (Cell::Null, Cell::Null),
    };
    Row {
        cells: vec![
            Cell::Identifier(number),
            Cell::Timestamp(placed),
            text(status),
            email,
            name,
            money(subtotal, currency),
            money(tax, currency),
            money(total, currency),
            text(currency.to_string()),
        ],
        children,
    }
}

/// Loads the email and name of each customer in a page of orders with one
/// `IN` query. A join did the same with one index lookup per order inside
/// the page's query, which took most of each page's time on PostgreSQL.
async fn load_customers(
    conn: &mut Conn,
    records: &[OrderRecord],
) -> Result<HashMap<i64, (String, String)>, DbError> {
    let mut ids: Vec<i64> = records.iter().map(|record| record.4).collect();
    ids.sort_unstable();
    ids.dedup();
    let people: Vec<(i64, String, String)> = with_conn!(conn, c => customers::table
        .filter(customers::id.eq_any(&ids))
        .select((customers::id, customers::email, customers::name))
        .load(c)
        .await)?;
    Ok(people
        .into_iter()
        .map(|(id, email, name)| (id, (email, name)))
        .collect())
}

type ItemRecord = (i64, i32, String, String, i32, i64, i64, String);
type PaymentRecord = (i64, String, i64, String, String, NaiveDateTime);

/// Loads the items and payments of a batch of orders with two queries.
pub(super) async fn load_order_children(
    conn: &mut Conn,
    order_ids: &[i64],
) -> Result<HashMap<i64, Vec<Child>>, DbError> {
    let items: Vec<ItemRecord> = with_conn!(conn, c => order_items::table
        .inner_join(orders::table)
        .filter(order_items::order_id.eq_any(order_ids))
        .order((order_items::order_id.asc(), order_items::line_number.asc()))
        .select((
            order_items::order_id,
            order_items::line_number,
            order_items::product_sku,
            order_items::description,
            order_items::quantity,
            order_items::unit_price_minor,
            order_items::total_minor,
            orders::currency,
        ))
        .load(c)
        .await)?;
    let payment_records: Vec<PaymentRecord> = with_conn!(conn, c => payments::table
        .filter(payments::order_id.eq_any(order_ids))
        .order((payments::order_id.asc(), payments::id.asc()))
        .select((
            payments::order_id,
            payments::method,
            payments::amount_minor,
            payments::currency,
            payments::reference,
            payments::paid_at,
        ))
        .load(c)
        .await)?;

    let mut item_rows: HashMap<i64, Vec<Vec<Cell>>> = HashMap::new();
    for (order_id, line, sku, description, quantity, unit_price, total, currency) in items {
        item_rows.entry(order_id).or_default().push(vec![
            Cell::Integer(i64::from(line)),
            Cell::Identifier(sku),
            text(description),
            Cell::Integer(i64::from(quantity)),
            money(unit_price, &currency),
            money(total, &currency),
        ]);
    }
    let mut payment_rows: HashMap<i64, Vec<Vec<Cell>>> = HashMap::new();
    for (order_id, method, amount, currency, reference, paid_at) in payment_records {
        payment_rows.entry(order_id).or_default().push(vec![
            text(method),
            money(amount, &currency),
            text(currency),
            Cell::Identifier(reference),
            Cell::Timestamp(paid_at),
        ]);
    }

    let children = order_ids
        .iter()
        .map(|id| {
            let nested = vec![
                Child {
                    name: "items",
                    columns: NESTED_ITEM_COLUMNS,
                    rows: item_rows.remove(id).unwrap_or_default(),
                },
                Child {
                    name: "payments",
                    columns: NESTED_PAYMENT_COLUMNS,
                    rows: payment_rows.remove(id).unwrap_or_default(),
                },
            ];
            (*id, nested)
        })
        .collect();
    Ok(children)
}

type OrderItemRecord = (
    i64,
    String,
    i32,
    String,
    String,
    i32,
    i64,
    i64,
    String,
    NaiveDateTime,
);

async fn fetch_order_items(
    conn: &mut Conn,
    user_id: i64,
    filters: &ExportFilters,
    after: Cursor,
    limit: i64,
) -> Result<Batch, DbError> {
    let (_, end) = filters.time_range();
    let records: Vec<OrderItemRecord> = with_conn!(conn, c => order_items::table
        .inner_join(orders::table)
        .filter(order_items::user_id.eq(user_id))
        .filter(order_items::created_at.ge(after.time).and(order_items::created_at.lt(end)))
        .filter(order_items::created_at.gt(after.time).or(order_items::id.gt(after.id)))
        .order((order_items::created_at.asc(), order_items::id.asc()))
        .limit(limit)
        .select((
            order_items::id,
            orders::order_number,
            order_items::line_number,
            order_items::product_sku,
            order_items::description,
            order_items::quantity,
            order_items::unit_price_minor,
            order_items::total_minor,
            orders::currency,
            order_items::created_at,
        ))
        .load(c)
        .await)?;

    let next = records.last().map(|record| Cursor {
        time: record.9,
        id: record.0,
    });
    let rows = records
        .into_iter()
        .map(
            |(
                _,
                number,
                line,
                sku,
                description,
                quantity,
                unit_price,
                total,
                currency,
                created,
            )| Row {
                cells: vec![
                    Cell::Identifier(number),
                    Cell::Integer(i64::from(line)),
                    Cell::Identifier(sku),
                    text(description),
                    Cell::Integer(i64::from(quantity)),
                    money(unit_price, &currency),
                    money(total, &currency),
                    text(currency),
                    Cell::Timestamp(created),
                ],
                children: Vec::new(),
            },
        )
        .collect();
    Ok(Batch { rows, next })
}
