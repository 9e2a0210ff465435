//! Multi-row inserts of generated records.
//!
//! Every statement stays below SQLite's limit of 32,766 bound parameters
//! (PostgreSQL allows 65,535). Customer, product and order inserts skip
//! rows whose natural key the user already has, through `ON CONFLICT DO
//! NOTHING`, and every insert returns how many rows it added.
//!
//! The inserts are written per backend, unlike the rest of Ferry's queries.
//! diesel-async 0.10 cannot run a multi-row INSERT on SQLite, so the
//! SQLite versions use synchronous diesel on the connection's blocking
//! thread, which needs the data owned rather than borrowed.

mod postgres;
mod sqlite;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::SeedError;
use super::generate::{CURRENCY, NewCustomer, NewProduct};
use super::orders::NewOrder;
use crate::db::schema::{customers, order_items, orders, payments, products};
use crate::db::{Conn, DbError};
use crate::with_conn;

/// Rows per INSERT for customers, products, orders and payments, whose rows
/// bind at most 11 parameters.
pub(super) const BATCH_ROWS: usize = 1_000;

/// Rows per INSERT for order items, which bind 9 parameters each.
const ITEM_BATCH_ROWS: usize = 3_000;

#[derive(Insertable)]
#[diesel(table_name = customers, treat_none_as_default_value = false)]
struct CustomerRow<'a> {
    user_id: i64,
    email: &'a str,
    name: &'a str,
    company: Option<&'a str>,
    phone: Option<&'a str>,
    country: Option<&'a str>,
    city: Option<&'a str>,
    postal_code: Option<&'a str>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = products, treat_none_as_default_value = false)]
struct ProductRow<'a> {
    user_id: i64,
    sku: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    price_minor: i64,
    currency: &'a str,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = orders)]
struct OrderRow<'a> {
    user_id: i64,
    order_number: &'a str,
    customer_id: i64,
    status: &'a str,
    currency: &'a str,
    subtotal_minor: i64,
    tax_minor: i64,
    total_minor: i64,
    placed_at: NaiveDateTime,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = order_items)]
struct ItemRow<'a> {
    user_id: i64,
    order_id: i64,
    line_number: i32,
    product_sku: &'a str,
    description: &'a str,
    quantity: i32,
    unit_price_minor: i64,
    total_minor: i64,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = payments)]
struct PaymentRow<'a> {
    user_id: i64,
    order_id: i64,
    method: &'a str,
    amount_minor: i64,
    currency: &'a str,
    reference: &'a str,
    paid_at: NaiveDateTime,
}

/// One chunk of orders with everything its rows refer to.
pub(super) struct OrderChunk {
    pub user_id: i64,
    pub orders: Vec<NewOrder>,
    /// Database id of each order's customer, in `orders` order.
    pub customer_ids: Vec<i64>,
    pub catalogue: Arc<[NewProduct]>,
}

/// Rows added by one or more chunks of orders.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct OrderChunkCounts {
    pub orders: u64,
    pub order_items: u64,
    pub payments: u64,
}

/// Numbers of rows the user already has in each dataset.
pub(super) struct ExistingCounts {
    pub customers: u64,
    pub products: u64,
    pub orders: u64,
}

pub(super) async fn existing_counts(
    conn: &mut Conn,
    user_id: i64,
) -> Result<ExistingCounts, DbError> {
    let customers: i64 = with_conn!(conn, c => customers::table
        .filter(customers::user_id.eq(user_id))
        .count()
        .get_result(c)
        .await)?;
    let products: i64 = with_conn!(conn, c => products::table
        .filter(products::user_id.eq(user_id))
        .count()
        .get_result(c)
        .await)?;
    let orders: i64 = with_conn!(conn, c => orders::table
        .filter(orders::user_id.eq(user_id))
        .count()
        .get_result(c)
        .await)?;
    Ok(ExistingCounts {
        customers: customers.unsigned_abs(),
        products: products.unsigned_abs(),
        orders: orders.unsigned_abs(),
    })
}

/// Inserts up to [`BATCH_ROWS`] products and returns how many were added.
pub(super) async fn insert_products(
    conn: &mut Conn,
    user_id: i64,
    batch: Vec<NewProduct>,
) -> Result<u64, DbError> {
    let added = match conn {
        Conn::Postgres(pooled) => {
            postgres::insert_products(pooled, &product_rows(user_id, &batch)).await?
        }
        Conn::Sqlite(pooled) => {
            let insert =
                move |c: &mut _| sqlite::insert_products(c, &product_rows(user_id, &batch));
            pooled.spawn_blocking(insert).await?
        }
    };
    Ok(added as u64)
}

/// Inserts up to [`BATCH_ROWS`] customers and returns how many were added,
/// with the id of each customer in `batch` order. A customer whose email
/// the user already has is not added, and that existing row's id is used.
pub(super) async fn insert_customers(
    conn: &mut Conn,
    user_id: i64,
    batch: Vec<NewCustomer>,
) -> Result<(u64, Vec<i64>), SeedError> {
    let emails: Vec<String> = batch
        .iter()
        .map(|customer| customer.email.clone())
        .collect();
    let added = match conn {
        Conn::Postgres(pooled) => {
            postgres::insert_customers(pooled, &customer_rows(user_id, &batch)).await
        }
        Conn::Sqlite(pooled) => {
            let insert =
                move |c: &mut _| sqlite::insert_customers(c, &customer_rows(user_id, &batch));
            pooled.spawn_blocking(insert).await
        }
    }
    .map_err(DbError::from)?;

    let found: Vec<(String, i64)> = with_conn!(conn, c => customers::table
        .filter(customers::user_id.eq(user_id))
        .filter(customers::email.eq_any(&emails))
        .select((customers::email, customers::id))
        .load(c)
        .await)
    .map_err(DbError::from)?;

    let mut ids_by_email: HashMap<String, i64> = found.into_iter().collect();
    let mut ids = Vec::with_capacity(emails.len());
    for email in emails {
        let id = ids_by_email
            .remove(&email)
            .ok_or(SeedError::CustomerNotFound(email))?;
        ids.push(id);
    }
    Ok((added as u64, ids))
}

/// Inserts a chunk of at most [`BATCH_ROWS`] orders with their items and
/// payments in one transaction. Orders whose number the user already has
/// are skipped together with their items and payment.
pub(super) async fn insert_order_chunk(
    conn: &mut Conn,
    chunk: OrderChunk,
) -> Result<OrderChunkCounts, DbError> {
    let counts = match conn {
        Conn::Postgres(pooled) => postgres::insert_order_chunk(pooled, &chunk).await?,
        Conn::Sqlite(pooled) => {
            let insert = move |c: &mut _| sqlite::insert_order_chunk(c, &chunk);
            pooled.spawn_blocking(insert).await?
        }
    };
    Ok(counts)
}

fn product_rows(user_id: i64, batch: &[NewProduct]) -> Vec<ProductRow<'_>> {
    let rows = batch.iter().map(|product| ProductRow {
        user_id,
        sku: &product.sku,
        name: &product.name,
        description: product.description.as_deref(),
        price_minor: product.price_minor,
        currency: CURRENCY,
        active: product.active,
        created_at: product.created_at,
        updated_at: product.updated_at,
    });
    rows.collect()
}

fn customer_rows(user_id: i64, batch: &[NewCustomer]) -> Vec<CustomerRow<'_>> {
    let rows = batch.iter().map(|customer| CustomerRow {
        user_id,
        email: &customer.email,
        name: &customer.name,
        company: customer.company,
        phone: customer.phone.as_deref(),
        country: customer.country,
        city: customer.city,
        postal_code: customer.postal_code.as_deref(),
        created_at: customer.created_at,
        updated_at: customer.updated_at,
    });
    rows.collect()
}

fn order_rows(chunk: &OrderChunk) -> Vec<OrderRow<'_>> {
    let rows = chunk.orders.iter().zip(&chunk.customer_ids);
    let rows = rows.map(|(order, &customer_id)| OrderRow {
        user_id: chunk.user_id,
        order_number: &order.order_number,
        customer_id,
        status: order.status,
        currency: CURRENCY,
        subtotal_minor: order.subtotal_minor,
        tax_minor: order.tax_minor,
        total_minor: order.total_minor,
        placed_at: order.placed_at,
        created_at: order.placed_at,
        updated_at: order.updated_at,
    });
    rows.collect()
}

/// Builds the item rows of the orders in `ids`, which maps the number of
/// each order the chunk inserted to its id.
fn item_rows<'a>(chunk: &'a OrderChunk, ids: &HashMap<String, i64>) -> Vec<ItemRow<'a>> {
    let mut rows = Vec::with_capacity(chunk.orders.len() * 3);
    for order in &chunk.orders {
        let Some(&order_id) = ids.get(&order.order_number) else {
            continue;
        };
        for item in &order.items {
            let product = &chunk.catalogue[item.product_index];
            rows.push(ItemRow {
                user_id: chunk.user_id,
                order_id,
                line_number: item.line_number,
                product_sku: &product.sku,
                description: &product.name,
                quantity: item.quantity,
                unit_price_minor: item.unit_price_minor,
                total_minor: item.total_minor,
                created_at: order.placed_at,
            });
        }
    }
    rows
}

/// Builds the payment rows of the orders in `ids`, as [`item_rows`] does.
fn payment_rows<'a>(chunk: &'a OrderChunk, ids: &HashMap<String, i64>) -> Vec<PaymentRow<'a>> {
    let paid = chunk.orders.iter().filter_map(|order| {
        let payment = order.payment.as_ref()?;
        let order_id = *ids.get(&order.order_number)?;
        Some(PaymentRow {
            user_id: chunk.user_id,
            order_id,
            method: payment.method,
            amount_minor: payment.amount_minor,
            currency: CURRENCY,
            reference: &payment.reference,
            paid_at: payment.paid_at,
        })
    });
    paid.collect()
}

/// Maps the `(id, order_number)` pairs that an order insert returned by
/// order number. SQLite returns RETURNING rows in no defined order.
fn ids_by_order_number(inserted: Vec<(i64, String)>) -> HashMap<String, i64> {
    inserted
        .into_iter()
        .map(|(id, number)| (number, id))
        .collect()
}
