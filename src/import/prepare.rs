//! Turns a chunk's valid records into table rows, settling what they refer
//! to: an order's customer by email, an item's order by number.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::{ExpressionMethods, QueryDsl};
use diesel_async::RunQueryDsl;

use super::records::{ItemRecord, OrderRecord, Record, RowError};
use super::source::{Accepted, Failure};
use super::spec::ImportSpec;
use super::write::{self, CustomerRow, DatasetRows, ErrorRow, FailedRow, ItemRow};
use crate::db::schema::{customers, orders};
use crate::db::{Conn, DbError};
use crate::formats::read::RawValue;
use crate::with_conn;

/// Customers a dry run would have created so far, so that each is counted
/// once across chunks.
#[derive(Default)]
pub struct DryRunState {
    created_emails: HashSet<String>,
}

pub struct Prepared {
    pub rows: DatasetRows,
    /// Records that a reference check failed.
    pub failures: Vec<Failure>,
    /// Rows that are written, or would be in a dry run.
    pub valid: u64,
    pub customers_created: u64,
}

pub async fn prepare(
    conn: &mut Conn,
    spec: &ImportSpec,
    user_id: i64,
    accepted: Vec<Accepted>,
    now: NaiveDateTime,
    dry_run: &mut DryRunState,
) -> Result<Prepared, DbError> {
    let dry = spec.options.dry_run;
    let mut customers = Vec::new();
    let mut products = Vec::new();
    let mut orders = Vec::new();
    let mut items = Vec::new();
    for accepted in accepted {
        match accepted.record {
            Record::Customer(record) => customers.push(write::customer_row(user_id, record, now)),
            Record::Product(record) => products.push(write::product_row(user_id, record, now)),
            Record::Order(record) => orders.push(record),
            Record::Item(record) => items.push((accepted.row, record, accepted.values)),
        }
    }

    if !orders.is_empty() {
        return prepare_orders(conn, user_id, orders, now, dry, dry_run).await;
    }
    if !items.is_empty() {
        return prepare_items(conn, user_id, items, now, dry).await;
    }
    let valid = (customers.len() + products.len()) as u64;
    let rows = match (dry, customers.is_empty()) {
        (true, _) => DatasetRows::Nothing,
        (false, false) => DatasetRows::Customers(customers),
        (false, true) => DatasetRows::Products(products),
    };
    Ok(Prepared {
        rows,
        failures: Vec::new(),
        valid,
        customers_created: 0,
    })
}

async fn prepare_orders(
    conn: &mut Conn,
    user_id: i64,
    orders: Vec<OrderRecord>,
    now: NaiveDateTime,
    dry: bool,
    dry_run: &mut DryRunState,
) -> Result<Prepared, DbError> {
    let mut emails: Vec<String> = orders.iter().map(|o| o.customer_email.clone()).collect();
    emails.sort_unstable();
    emails.dedup();
    let existing: Vec<(String, i64)> = with_conn!(conn, c => customers::table
        .filter(customers::user_id.eq(user_id))
        .filter(customers::email.eq_any(&emails))
        .select((customers::email, customers::id))
        .load(c)
        .await)?;
    let existing: HashMap<String, i64> = existing.into_iter().collect();

    let mut new_customers = Vec::new();
    let mut seen = HashSet::new();
    for order in &orders {
        let email = &order.customer_email;
        if existing.contains_key(email) || !seen.insert(email.clone()) {
            continue;
        }
        if dry && !dry_run.created_emails.insert(email.clone()) {
            continue;
        }
        new_customers.push(new_customer(user_id, order, now));
    }

    let customers_created = new_customers.len() as u64;
    let valid = orders.len() as u64;
    let rows = if dry {
        DatasetRows::Nothing
    } else {
        DatasetRows::Orders {
            new_customers,
            known: existing,
            orders,
        }
    };
    Ok(Prepared {
        rows,
        failures: Vec::new(),
        valid,
        customers_created,
    })
}

/// Builds the customer an order creates: its email, and its name or else
/// the email again.
fn new_customer(user_id: i64, order: &OrderRecord, now: NaiveDateTime) -> CustomerRow {
    CustomerRow {
        user_id,
        email: order.customer_email.clone(),
        name: order
            .customer_name
            .clone()
            .unwrap_or_else(|| order.customer_email.clone()),
        company: None,
        phone: None,
        country: None,
        city: None,
        postal_code: None,
        created_at: now,
        updated_at: now,
    }
}

async fn prepare_items(
    conn: &mut Conn,
    user_id: i64,
    items: Vec<(u64, ItemRecord, Option<Vec<RawValue>>)>,
    now: NaiveDateTime,
    dry: bool,
) -> Result<Prepared, DbError> {
    let mut numbers: Vec<&str> = items
        .iter()
        .map(|(_, item, _)| item.order_number.as_str())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let found: Vec<(String, i64, String)> = with_conn!(conn, c => orders::table
        .filter(orders::user_id.eq(user_id))
        .filter(orders::order_number.eq_any(&numbers))
        .select((orders::order_number, orders::id, orders::currency))
        .load(c)
        .await)?;
    let by_number: HashMap<String, (i64, String)> = found
        .into_iter()
        .map(|(number, id, currency)| (number, (id, currency)))
        .collect();

    let mut rows = Vec::with_capacity(items.len());
    let mut failures = Vec::new();
    for (row, item, values) in items {
        match check_order(&item, by_number.get(&item.order_number)) {
            Ok(order_id) => rows.push(item_row(user_id, order_id, item, now)),
            Err(error) => failures.push(Failure {
                row,
                values: values.unwrap_or_default(),
                raw: None,
                errors: vec![error],
            }),
        }
    }

    let valid = rows.len() as u64;
    Ok(Prepared {
        rows: if dry {
            DatasetRows::Nothing
        } else {
            DatasetRows::Items(rows)
        },
        failures,
        valid,
        customers_created: 0,
    })
}

fn check_order(item: &ItemRecord, order: Option<&(i64, String)>) -> Result<i64, RowError> {
    let Some((order_id, currency)) = order else {
        return Err(RowError::new(
            "order_number",
            item.order_number.clone(),
            format!(
                "{:?} is not the number of one of your orders; import the order first, or correct the number",
                item.order_number
            ),
        ));
    };
    if *currency != item.currency {
        return Err(RowError::new(
            "currency",
            item.currency.clone(),
            format!(
                "{:?} differs from the currency {currency} of order {:?}; use {currency}",
                item.currency, item.order_number
            ),
        ));
    }
    Ok(*order_id)
}

fn item_row(user_id: i64, order_id: i64, item: ItemRecord, now: NaiveDateTime) -> ItemRow {
    ItemRow {
        user_id,
        order_id,
        line_number: item.line_number,
        product_sku: item.sku,
        description: item.description,
        quantity: item.quantity,
        unit_price_minor: item.unit_price_minor,
        total_minor: item.total_minor,
        created_at: item.created_at.unwrap_or(now),
    }
}

pub fn error_rows(job_id: &str, failures: &[Failure]) -> Vec<ErrorRow> {
    let errors = failures.iter().flat_map(|failure| {
        failure.errors.iter().map(|error| ErrorRow {
            job_id: job_id.to_string(),
            row_number: failure.row as i64,
            field: error.field.clone(),
            value: error.value.clone(),
            message: error.message.clone(),
        })
    });
    errors.collect()
}

pub fn failed_rows(job_id: &str, failures: &[Failure]) -> Vec<FailedRow> {
    let rows = failures.iter().map(|failure| FailedRow {
        job_id: job_id.to_string(),
        row_number: failure.row as i64,
        message: failure_message(&failure.errors),
        values_json: match &failure.raw {
            Some(raw) => serde_json::json!({ RAW_KEY: raw }).to_string(),
            None => values_json(&failure.values),
        },
    });
    rows.collect()
}

/// Key of the object stored in place of the values of a JSON element that
/// was not an object.
pub const RAW_KEY: &str = "raw";

/// Joins a row's errors into the text of its `error` column.
fn failure_message(errors: &[RowError]) -> String {
    let parts: Vec<String> = errors
        .iter()
        .map(|error| format!("{}: {}", error.field, error.message))
        .collect();
    parts.join("; ")
}

/// Stores the original values as a JSON array, keeping their types so the
/// failed-rows file can write numbers and dates back as they were.
fn values_json(values: &[RawValue]) -> String {
    let array: Vec<serde_json::Value> = values.iter().map(raw_to_json).collect();
    serde_json::Value::Array(array).to_string()
}

fn raw_to_json(value: &RawValue) -> serde_json::Value {
    use serde_json::Value;

    match value {
        RawValue::Empty => Value::Null,
        RawValue::Text(text) => Value::String(text.clone()),
        RawValue::Number(number) => serde_json::Number::from_f64(*number)
            .map_or_else(|| Value::String(number.to_string()), Value::Number),
        RawValue::Bool(flag) => Value::Bool(*flag),
        RawValue::DateTime(datetime) => {
            Value::String(datetime.format("%Y-%m-%dT%H:%M:%S").to_string())
        }
        RawValue::Date(date) => Value::String(date.format("%Y-%m-%d").to_string()),
    }
}
