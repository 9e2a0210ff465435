//! Seeding real databases: a fresh SQLite file per test, and a freshly
//! created PostgreSQL database when `FERRY_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432`) accepts connections.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use futures_util::FutureExt;

use crate::accounts::create_user;
use crate::db::schema::{customers, order_items, orders, payments, products};
use crate::db::{Conn, Db};
use crate::seed::{SeedError, SeedOptions, SeedSummary, seed_orders};
use crate::with_conn;

const ORDERS: u64 = 200;

const OPTIONS: SeedOptions = SeedOptions {
    seed: 7,
    now: reference_time(),
};

const fn reference_time() -> NaiveDateTime {
    match NaiveDate::from_ymd_opt(2026, 12, 4) {
        Some(date) => date.and_time(chrono::NaiveTime::MIN),
        None => NaiveDateTime::MIN,
    }
}

/// Order columns that seeding fixes: number, status, subtotal, tax, total
/// and placement time.
type OrderRecord = (String, String, i64, i64, i64, NaiveDateTime);

async fn sqlite_db(directory: &tempfile::TempDir) -> Db {
    let url = format!("sqlite://{}/ferry.db", directory.path().display());
    let db = Db::connect(&url, 2).await.unwrap();
    db.migrate().await.unwrap();
    db
}

async fn create_account(db: &Db) -> i64 {
    let mut conn = db.conn().await.unwrap();
    let user = create_user(&mut conn, "seed@example.test", "correct horse battery")
        .await
        .unwrap();
    user.id
}

async fn order_records(conn: &mut Conn, user_id: i64) -> Vec<OrderRecord> {
    with_conn!(conn, c => orders::table
        .filter(orders::user_id.eq(user_id))
        .order(orders::order_number)
        .select((
            orders::order_number,
            orders::status,
            orders::subtotal_minor,
            orders::tax_minor,
            orders::total_minor,
            orders::placed_at,
        ))
        .load(c)
        .await)
    .unwrap()
}

async fn table_counts(conn: &mut Conn, user_id: i64) -> SeedSummary {
    let count = |value: i64| value.unsigned_abs();
    let customers: i64 = with_conn!(conn, c => customers::table
        .filter(customers::user_id.eq(user_id)).count().get_result(c).await)
    .unwrap();
    let products: i64 = with_conn!(conn, c => products::table
        .filter(products::user_id.eq(user_id)).count().get_result(c).await)
    .unwrap();
    let orders: i64 = with_conn!(conn, c => orders::table
        .filter(orders::user_id.eq(user_id)).count().get_result(c).await)
    .unwrap();
    let order_items: i64 = with_conn!(conn, c => order_items::table
        .filter(order_items::user_id.eq(user_id)).count().get_result(c).await)
    .unwrap();
    let payments: i64 = with_conn!(conn, c => payments::table
        .filter(payments::user_id.eq(user_id)).count().get_result(c).await)
    .unwrap();
    SeedSummary {
        customers: count(customers),
        products: count(products),
        orders: count(orders),
        order_items: count(order_items),
        payments: count(payments),
    }
}

/// Checks that every order's subtotal is the sum of its item totals.
async fn check_subtotals(conn: &mut Conn, user_id: i64) {
    let subtotals: Vec<(i64, String, i64)> = with_conn!(conn, c => orders::table
        .filter(orders::user_id.eq(user_id))
        .select((orders::id, orders::order_number, orders::subtotal_minor))
        .load(c)
        .await)
    .unwrap();
    let items: Vec<(i64, i64)> = with_conn!(conn, c => order_items::table
        .filter(order_items::user_id.eq(user_id))
        .select((order_items::order_id, order_items::total_minor))
        .load(c)
        .await)
    .unwrap();

    let mut item_sums: HashMap<i64, i64> = HashMap::new();
    for (order_id, total) in items {
        *item_sums.entry(order_id).or_default() += total;
    }
    for (id, number, subtotal) in subtotals {
        assert_eq!(
            item_sums.get(&id).copied(),
            Some(subtotal),
            "order {number}"
        );
    }
}

/// Seeds [`ORDERS`] orders into a new account of `db`, checks the stored
/// rows and returns the account's orders.
async fn seed_and_check(db: &Db) -> Vec<OrderRecord> {
    let user_id = create_account(db).await;
    let summary = seed_orders(db, user_id, ORDERS, &OPTIONS).await.unwrap();
    assert_eq!(summary.orders, ORDERS);
    assert_eq!(summary.customers, 50);
    assert_eq!(summary.products, 10);
    assert!(summary.order_items >= ORDERS);
    assert!(summary.order_items <= ORDERS * 5);

    let mut conn = db.conn().await.unwrap();
    assert_eq!(table_counts(&mut conn, user_id).await, summary);
    check_subtotals(&mut conn, user_id).await;

    let records = order_records(&mut conn, user_id).await;
    let unpaid = records.iter().filter(|r| r.1 == "pending").count() as u64;
    assert_eq!(summary.payments, ORDERS - unpaid);
    assert_eq!(records[0].0, "ORD-0000001");
    records
}

#[tokio::test(flavor = "multi_thread")]
async fn seeding_sqlite_is_repeatable() {
    let first_directory = tempfile::tempdir().unwrap();
    let first = seed_and_check(&sqlite_db(&first_directory).await).await;
    let second_directory = tempfile::tempdir().unwrap();
    let second = seed_and_check(&sqlite_db(&second_directory).await).await;
    assert_eq!(first, second);
}

#[tokio::test(flavor = "multi_thread")]
async fn seeding_postgres_matches_sqlite() {
    let Some(postgres) = seed_postgres().await else {
        return;
    };
    let directory = tempfile::tempdir().unwrap();
    let sqlite = seed_and_check(&sqlite_db(&directory).await).await;
    assert_eq!(postgres, sqlite);
}

#[tokio::test(flavor = "multi_thread")]
async fn seeding_twice_continues_numbering() {
    let directory = tempfile::tempdir().unwrap();
    let db = sqlite_db(&directory).await;
    let user_id = create_account(&db).await;
    seed_orders(&db, user_id, ORDERS, &OPTIONS).await.unwrap();

    let again = seed_orders(&db, user_id, ORDERS, &OPTIONS).await.unwrap();
    assert_eq!(again.orders, ORDERS);
    assert_eq!(again.customers, 50);
    assert_eq!(again.products, 10);

    let mut conn = db.conn().await.unwrap();
    let records = order_records(&mut conn, user_id).await;
    assert_eq!(records.len() as u64, ORDERS * 2);
    assert_eq!(records[ORDERS as usize].0, "ORD-0000201");
    check_subtotals(&mut conn, user_id).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn seeding_unknown_user_fails() {
    let directory = tempfile::tempdir().unwrap();
    let db = sqlite_db(&directory).await;
    let result = seed_orders(&db, 999, ORDERS, &OPTIONS).await;
    assert!(
        matches!(result, Err(SeedError::UserNotFound(999))),
        "{result:?}"
    );
}

/// Runs [`seed_and_check`] on a new PostgreSQL database, which is dropped
/// afterwards even when a check fails. A missing server fails the test.
async fn seed_postgres() -> Option<Vec<OrderRecord>> {
    let server = std::env::var("FERRY_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string());
    let admin = Db::connect(&format!("{server}/postgres"), 1)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL is required at {server}: {e}"));
    let reachable = tokio::time::timeout(Duration::from_secs(3), admin.ping()).await;
    assert!(
        matches!(reachable, Ok(Ok(()))),
        "PostgreSQL is required at {server} (set FERRY_TEST_POSTGRES_URL)"
    );

    let name = format!("ferry_seed_{:08x}", rand::random::<u32>());
    run_admin(&admin, &format!("CREATE DATABASE {name}")).await;
    let outcome = AssertUnwindSafe(seed_fresh_postgres(&server, &name))
        .catch_unwind()
        .await;
    run_admin(
        &admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;

    match outcome {
        Ok(records) => Some(records),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

async fn seed_fresh_postgres(server: &str, name: &str) -> Vec<OrderRecord> {
    let db = Db::connect(&format!("{server}/{name}"), 2).await.unwrap();
    db.migrate().await.unwrap();
    seed_and_check(&db).await
}

async fn run_admin(admin: &Db, statement: &str) {
    let mut conn = admin.conn().await.unwrap();
    with_conn!(&mut conn, c => diesel::sql_query(statement).execute(c).await).unwrap();
}

/// Measures seeding into the database at `FERRY_SEED_BENCH_URL`, which
/// must exist and have no user `seed@example.test`. Run it with
/// `cargo test --release --lib seeding_speed -- --ignored --nocapture`.
/// `FERRY_SEED_BENCH_ORDERS` sets the number of orders (default 100,000).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark; needs FERRY_SEED_BENCH_URL"]
async fn seeding_speed() {
    let url = std::env::var("FERRY_SEED_BENCH_URL").unwrap();
    let orders: u64 =
        std::env::var("FERRY_SEED_BENCH_ORDERS").map_or(100_000, |value| value.parse().unwrap());
    let db = Db::connect(&url, 2).await.unwrap();
    db.migrate().await.unwrap();
    let user_id = create_account(&db).await;

    let started = std::time::Instant::now();
    let summary = seed_orders(&db, user_id, orders, &OPTIONS).await.unwrap();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{summary:?}: {} rows in {seconds:.2} s, {:.0} rows/s, {:.0} orders/s",
        summary.rows(),
        summary.rows() as f64 / seconds,
        summary.orders as f64 / seconds,
    );
}
