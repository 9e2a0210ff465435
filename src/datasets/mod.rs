//! The four datasets a user can export: their names, columns, filters and
//! the keyset-paginated queries that read them.

mod columns;
mod filters;
mod orders_cursor;
mod queries;

use std::fmt;
use std::str::FromStr;

pub use columns::columns;
pub use filters::{ExportFilters, FilterError, ORDER_STATUSES};
pub use queries::{Batch, BatchSource, Cursor, count_rows, fetch_batch};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    Customers,
    Products,
    Orders,
    OrderItems,
}

impl Dataset {
    pub const ALL: [Dataset; 4] = [
        Dataset::Customers,
        Dataset::Products,
        Dataset::Orders,
        Dataset::OrderItems,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dataset::Customers => "customers",
            Dataset::Products => "products",
            Dataset::Orders => "orders",
            Dataset::OrderItems => "order_items",
        }
    }

    /// Returns the name shown on pages and in emails.
    pub fn title(self) -> &'static str {
        match self {
            Dataset::Customers => "Customers",
            Dataset::Products => "Products",
            Dataset::Orders => "Orders",
            Dataset::OrderItems => "Order items",
        }
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dataset {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Dataset::ALL
            .into_iter()
            .find(|dataset| dataset.as_str() == text)
            .ok_or_else(|| text.to_string())
    }
}

/// Returns the accepted dataset names, for error messages.
pub fn dataset_names() -> String {
    Dataset::ALL.map(Dataset::as_str).join(", ")
}
