//! Export columns of each dataset, in file order.

use super::Dataset;
use crate::formats::{Column, ColumnKind};

const fn col(name: &'static str, kind: ColumnKind) -> Column {
    Column { name, kind }
}

pub const CUSTOMER_COLUMNS: &[Column] = &[
    col("email", ColumnKind::Text),
    col("name", ColumnKind::Text),
    col("company", ColumnKind::Text),
    col("phone", ColumnKind::Identifier),
    col("country", ColumnKind::Text),
    col("city", ColumnKind::Text),
    col("postal_code", ColumnKind::Identifier),
    col("created_at", ColumnKind::Timestamp),
    col("updated_at", ColumnKind::Timestamp),
];

pub const PRODUCT_COLUMNS: &[Column] = &[
    col("sku", ColumnKind::Identifier),
    col("name", ColumnKind::Text),
    col("description", ColumnKind::Text),
    col("price", ColumnKind::Decimal),
    col("currency", ColumnKind::Text),
    col("active", ColumnKind::Bool),
    col("created_at", ColumnKind::Timestamp),
    col("updated_at", ColumnKind::Timestamp),
];

pub const ORDER_COLUMNS: &[Column] = &[
    col("order_number", ColumnKind::Identifier),
    col("placed_at", ColumnKind::Timestamp),
    col("status", ColumnKind::Text),
    col("customer_email", ColumnKind::Text),
    col("customer_name", ColumnKind::Text),
    col("subtotal", ColumnKind::Decimal),
    col("tax", ColumnKind::Decimal),
    col("total", ColumnKind::Decimal),
    col("currency", ColumnKind::Text),
];

/// Items nested under each order in JSON and NDJSON.
pub const NESTED_ITEM_COLUMNS: &[Column] = &[
    col("line_number", ColumnKind::Integer),
    col("sku", ColumnKind::Identifier),
    col("description", ColumnKind::Text),
    col("quantity", ColumnKind::Integer),
    col("unit_price", ColumnKind::Decimal),
    col("total", ColumnKind::Decimal),
];

/// Payments nested under each order in JSON and NDJSON.
pub const NESTED_PAYMENT_COLUMNS: &[Column] = &[
    col("method", ColumnKind::Text),
    col("amount", ColumnKind::Decimal),
    col("currency", ColumnKind::Text),
    col("reference", ColumnKind::Identifier),
    col("paid_at", ColumnKind::Timestamp),
];

pub const ORDER_ITEM_COLUMNS: &[Column] = &[
    col("order_number", ColumnKind::Identifier),
    col("line_number", ColumnKind::Integer),
    col("sku", ColumnKind::Identifier),
    col("description", ColumnKind::Text),
    col("quantity", ColumnKind::Integer),
    col("unit_price", ColumnKind::Decimal),
    col("total", ColumnKind::Decimal),
    col("currency", ColumnKind::Text),
    col("created_at", ColumnKind::Timestamp),
];

pub fn columns(dataset: Dataset) -> &'static [Column] {
    match dataset {
        Dataset::Customers => CUSTOMER_COLUMNS,
        Dataset::Products => PRODUCT_COLUMNS,
        Dataset::Orders => ORDER_COLUMNS,
        Dataset::OrderItems => ORDER_ITEM_COLUMNS,
    }
}
