//! Deterministic demo data for one account: customers, a product
//! catalogue, and orders with their items and payments.
//!
//! Records are generated in a stream and inserted in chunks of
//! [`insert::BATCH_ROWS`] orders, so memory use does not grow with the
//! number of orders, apart from one id per customer.

mod generate;
mod insert;
mod names;
mod orders;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use crate::accounts::find_user;
use crate::db::{Conn, Db, DbError};
use generate::{CustomerGenerator, NewProduct, Window, customer_count, product_count};
use insert::{BATCH_ROWS, OrderChunk, OrderChunkCounts};
use orders::OrderGenerator;

/// Inputs that, with the number of orders, fix every generated value.
#[derive(Debug, Clone, Copy)]
pub struct SeedOptions {
    /// Seed of the random number generator.
    pub seed: u64,
    /// Reference time in UTC. Timestamps fall in the two years before it.
    pub now: NaiveDateTime,
}

/// Numbers of rows added to each table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SeedSummary {
    pub customers: u64,
    pub products: u64,
    pub orders: u64,
    pub order_items: u64,
    pub payments: u64,
}

impl SeedSummary {
    /// Returns the number of rows added across all tables.
    pub fn rows(&self) -> u64 {
        self.customers + self.products + self.orders + self.order_items + self.payments
    }
}

#[derive(thiserror::Error, Debug)]
pub enum SeedError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("user {0} not found; create the account before seeding it")]
    UserNotFound(i64),
    #[error("reference time {0} is too early to have two years before it")]
    InvalidReferenceTime(NaiveDateTime),
    #[error("customer {0:?} was neither inserted nor found; was it deleted during seeding?")]
    CustomerNotFound(String),
}

/// Inserts `orders` orders for `user_id`, with one customer per four orders
/// (at least one) and a catalogue of `orders / 20` products (10 to 500).
///
/// The same seed, order count and reference time give the same records in
/// an empty account, on SQLite and PostgreSQL alike. Each chunk of orders
/// is committed in its own transaction, so a failure keeps the chunks
/// committed before it.
///
/// An account that already has data is added to. Customer email numbers,
/// SKUs and order numbers continue after the user's current number of
/// customers, products and orders, so a first seed writes `ORD-0000001`
/// and a second seed of the same account starts at the next number. A
/// generated key that the user still has, such as an imported order
/// numbered the same, is not inserted twice:
///
/// - a customer whose email exists gets the new orders on the existing row;
/// - a product whose SKU exists keeps its row, while new items copy the
///   generated name and price;
/// - an order whose number exists is skipped with its items and payment.
///
/// The summary counts only the rows added.
pub async fn seed_orders(
    db: &Db,
    user_id: i64,
    orders: u64,
    options: &SeedOptions,
) -> Result<SeedSummary, SeedError> {
    let started = Instant::now();
    let window = Window::before(options.now).ok_or(SeedError::InvalidReferenceTime(options.now))?;

    let mut conn = db.conn().await?;
    if find_user(&mut conn, user_id).await?.is_none() {
        return Err(SeedError::UserNotFound(user_id));
    }
    let existing = insert::existing_counts(&mut conn, user_id).await?;
    tracing::info!(user_id, orders, seed = options.seed, "seeding demo data");

    let product_total = product_count(orders);
    let first_product = existing.products + 1;
    let catalogue: Arc<[NewProduct]> =
        generate::catalogue(options.seed, window, product_total, first_product).into();
    let products = seed_products(&mut conn, user_id, &catalogue).await?;

    let customer_total = customer_count(orders);
    let first_customer = existing.customers + 1;
    let customer_generator =
        CustomerGenerator::new(options.seed, window, customer_total, first_customer);
    let (customers, customer_ids) = seed_customers(&mut conn, user_id, customer_generator).await?;

    let first_order = existing.orders + 1;
    let order_generator = OrderGenerator::new(
        options.seed,
        window,
        &catalogue,
        customer_total,
        orders,
        first_order,
    );
    let chunk_counts = seed_order_chunks(
        &mut conn,
        user_id,
        order_generator,
        &customer_ids,
        &catalogue,
    )
    .await?;

    let summary = SeedSummary {
        customers,
        products,
        orders: chunk_counts.orders,
        order_items: chunk_counts.order_items,
        payments: chunk_counts.payments,
    };
    log_summary(user_id, &summary, started.elapsed());
    Ok(summary)
}

async fn seed_products(
    conn: &mut Conn,
    user_id: i64,
    catalogue: &[NewProduct],
) -> Result<u64, SeedError> {
    let mut added = 0;
    for batch in catalogue.chunks(BATCH_ROWS) {
        added += insert::insert_products(conn, user_id, batch.to_vec()).await?;
    }
    Ok(added)
}

/// Inserts the customers and returns how many were added, with the id of
/// every generated customer in generation order.
async fn seed_customers(
    conn: &mut Conn,
    user_id: i64,
    mut generator: CustomerGenerator,
) -> Result<(u64, Vec<i64>), SeedError> {
    let mut added = 0;
    let mut ids = Vec::new();
    loop {
        let batch: Vec<_> = generator.by_ref().take(BATCH_ROWS).collect();
        if batch.is_empty() {
            break;
        }

        let (batch_added, batch_ids) = insert::insert_customers(conn, user_id, batch).await?;
        added += batch_added;
        ids.extend(batch_ids);
    }
    Ok((added, ids))
}

async fn seed_order_chunks(
    conn: &mut Conn,
    user_id: i64,
    mut generator: OrderGenerator<'_>,
    customer_ids: &[i64],
    catalogue: &Arc<[NewProduct]>,
) -> Result<OrderChunkCounts, SeedError> {
    let mut total = OrderChunkCounts::default();
    loop {
        let orders: Vec<_> = generator.by_ref().take(BATCH_ROWS).collect();
        if orders.is_empty() {
            break;
        }

        // The generator picks only among the customers seeded above, so
        // every index is in range.
        let order_customer_ids = orders
            .iter()
            .map(|order| customer_ids[order.customer_index as usize])
            .collect();
        let chunk = OrderChunk {
            user_id,
            orders,
            customer_ids: order_customer_ids,
            catalogue: Arc::clone(catalogue),
        };
        let counts = insert::insert_order_chunk(conn, chunk).await?;
        total.orders += counts.orders;
        total.order_items += counts.order_items;
        total.payments += counts.payments;
    }
    Ok(total)
}

fn log_summary(user_id: i64, summary: &SeedSummary, elapsed: Duration) {
    let rows = summary.rows();
    let seconds = elapsed.as_secs_f64();
    let rows_per_second = if seconds > 0.0 {
        rows as f64 / seconds
    } else {
        0.0
    };
    tracing::info!(
        user_id,
        customers = summary.customers,
        products = summary.products,
        orders = summary.orders,
        order_items = summary.order_items,
        payments = summary.payments,
        rows,
        elapsed_ms = elapsed.as_millis() as u64,
        rows_per_second = rows_per_second.round() as u64,
        "seeded demo data"
    );
}
