//! Export filters, parsed from the request's `filters` object.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use super::Dataset;

/// Order states, in the order they are shown.
pub const ORDER_STATUSES: &[&str] = &[
    "pending",
    "paid",
    "shipped",
    "delivered",
    "cancelled",
    "refunded",
];

const FILTER_NAMES: &[&str] = &["from", "to", "status"];

/// A field of the request that failed to parse, and why.
#[derive(thiserror::Error, Debug, Clone, PartialEq)]
#[error("{field}: {message}")]
pub struct FilterError {
    pub field: String,
    pub message: String,
}

fn invalid(field: &str, message: String) -> FilterError {
    FilterError {
        field: field.to_string(),
        message,
    }
}

/// Validated filters. Dates are inclusive calendar days in UTC.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExportFilters {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status: Vec<String>,
}

impl ExportFilters {
    /// Parses the `filters` object of an export request for `dataset`.
    pub fn parse(dataset: Dataset, value: Option<&serde_json::Value>) -> Result<Self, FilterError> {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return Ok(Self::default());
        };
        let Some(object) = value.as_object() else {
            return Err(invalid(
                "filters",
                "must be an object such as {\"from\": \"2024-01-01\"}".into(),
            ));
        };
        if let Some(unknown) = object.keys().find(|k| !FILTER_NAMES.contains(&k.as_str())) {
            return Err(invalid(
                &format!("filters.{unknown}"),
                format!(
                    "unknown filter; accepted filters are {}",
                    FILTER_NAMES.join(", ")
                ),
            ));
        }

        let filters = ExportFilters {
            from: parse_date(object.get("from"), "filters.from")?,
            to: parse_date(object.get("to"), "filters.to")?,
            status: parse_statuses(dataset, object.get("status"))?,
        };
        if let (Some(from), Some(to)) = (filters.from, filters.to)
            && from > to
        {
            return Err(invalid(
                "filters.to",
                format!("{to} is before filters.from {from}"),
            ));
        }
        Ok(filters)
    }

    /// Returns the half-open UTC range `[start, end)` the dates cover. Open
    /// ends become years 1 and 10000, which both backends store and which
    /// compare correctly as SQLite's timestamp text.
    pub fn time_range(&self) -> (NaiveDateTime, NaiveDateTime) {
        let start = self.from.unwrap_or(earliest()).and_time(NaiveTime::MIN);
        let end = match self.to.and_then(|to| to.succ_opt()) {
            Some(day_after) => day_after.and_time(NaiveTime::MIN),
            None => latest().and_time(NaiveTime::MIN),
        };
        (start, end)
    }

    /// Returns the statuses to match: the requested ones, or all.
    pub fn statuses(&self) -> Vec<String> {
        if self.status.is_empty() {
            ORDER_STATUSES.iter().map(|s| s.to_string()).collect()
        } else {
            self.status.clone()
        }
    }
}

fn earliest() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn latest() -> NaiveDate {
    NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX)
}

fn parse_date(
    value: Option<&serde_json::Value>,
    field: &str,
) -> Result<Option<NaiveDate>, FilterError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let text = value.as_str().unwrap_or_default();
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if date >= earliest() && date < latest() => Ok(Some(date)),
        Ok(date) => Err(invalid(
            field,
            format!("{date} is outside the years 0001 to 9998"),
        )),
        Err(_) => Err(invalid(
            field,
            format!("{value} is not a date; use YYYY-MM-DD, such as 2024-01-31"),
        )),
    }
}

fn parse_statuses(
    dataset: Dataset,
    value: Option<&serde_json::Value>,
) -> Result<Vec<String>, FilterError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    if dataset != Dataset::Orders {
        return Err(invalid(
            "filters.status",
            format!("only the orders dataset has a status; {dataset} does not"),
        ));
    }

    let items: Vec<&serde_json::Value> = match value {
        serde_json::Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let mut statuses = Vec::new();
    for item in items {
        match item.as_str().filter(|s| ORDER_STATUSES.contains(s)) {
            Some(status) => statuses.push(status.to_string()),
            None => {
                return Err(invalid(
                    "filters.status",
                    format!(
                        "{item} is not an order status; accepted values are {}",
                        ORDER_STATUSES.join(", ")
                    ),
                ));
            }
        }
    }
    statuses.sort();
    statuses.dedup();
    Ok(statuses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_parse_dates_and_statuses() {
        let value =
            json!({"from": "2024-01-01", "to": "2024-12-31", "status": ["shipped", "paid"]});
        let filters = ExportFilters::parse(Dataset::Orders, Some(&value)).unwrap();
        assert_eq!(filters.from, NaiveDate::from_ymd_opt(2024, 1, 1));
        assert_eq!(filters.status, vec!["paid", "shipped"]);
    }

    #[test]
    fn to_date_is_inclusive() {
        let value = json!({"to": "2024-12-31"});
        let filters = ExportFilters::parse(Dataset::Customers, Some(&value)).unwrap();
        let (_, end) = filters.time_range();
        assert_eq!(end.to_string(), "2025-01-01 00:00:00");
    }

    #[test]
    fn open_range_stays_in_storable_years() {
        let (start, end) = ExportFilters::default().time_range();
        assert_eq!(start.to_string(), "0001-01-01 00:00:00");
        assert_eq!(end.to_string(), "9999-12-31 00:00:00");
    }

    #[test]
    fn unknown_status_names_accepted_values() {
        let value = json!({"status": ["lost"]});
        let error = ExportFilters::parse(Dataset::Orders, Some(&value)).unwrap_err();
        assert_eq!(error.field, "filters.status");
        assert!(error.message.contains("pending, paid, shipped"));
    }

    #[test]
    fn unknown_filter_rejected() {
        let value = json!({"colour": "red"});
        let error = ExportFilters::parse(Dataset::Orders, Some(&value)).unwrap_err();
        assert_eq!(error.field, "filters.colour");
    }

    #[test]
    fn status_on_customers_rejected() {
        let value = json!({"status": "paid"});
        assert!(ExportFilters::parse(Dataset::Customers, Some(&value)).is_err());
    }

    #[test]
    fn bad_date_rejected() {
        let value = json!({"from": "31/01/2024"});
        let error = ExportFilters::parse(Dataset::Orders, Some(&value)).unwrap_err();
        assert!(error.message.contains("YYYY-MM-DD"));
    }

    #[test]
    fn reversed_range_rejected() {
        let value = json!({"from": "2024-02-01", "to": "2024-01-01"});
        assert!(ExportFilters::parse(Dataset::Orders, Some(&value)).is_err());
    }
}
