//! What an export writes: parsed from a request, stored in the job's
//! parameters, and read back by the worker.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::datasets::{Dataset, ExportFilters, FilterError, dataset_names};
use crate::formats::Format;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportOptions {
    #[serde(default)]
    pub excel_compatible: bool,
}

/// A validated export request.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSpec {
    pub dataset: Dataset,
    pub format: Format,
    pub filters: ExportFilters,
    pub options: ExportOptions,
}

/// The request body of `POST /api/exports`, before validation.
#[derive(Debug, Default, Deserialize)]
pub struct ExportRequest {
    pub dataset: Option<String>,
    pub format: Option<String>,
    pub filters: Option<serde_json::Value>,
    pub options: Option<serde_json::Value>,
}

/// The parameters column of an export job.
#[derive(Debug, Serialize, Deserialize)]
struct StoredParams {
    filters: ExportFilters,
    options: ExportOptions,
}

fn invalid(field: &str, message: String) -> FilterError {
    FilterError {
        field: field.to_string(),
        message,
    }
}

const FORMAT_NAMES: &str = "csv, json, ndjson, xlsx";

impl ExportSpec {
    /// Validates a request, naming the first field that is wrong.
    pub fn parse(request: &ExportRequest) -> Result<Self, FilterError> {
        let dataset = match request.dataset.as_deref() {
            None | Some("") => {
                return Err(invalid(
                    "dataset",
                    format!("is required; use one of {}", dataset_names()),
                ));
            }
            Some(name) => name.parse::<Dataset>().map_err(|name| {
                invalid(
                    "dataset",
                    format!("{name:?} is not a dataset; use one of {}", dataset_names()),
                )
            })?,
        };
        let format = match request.format.as_deref() {
            None | Some("") => {
                return Err(invalid(
                    "format",
                    format!("is required; use one of {FORMAT_NAMES}"),
                ));
            }
            Some(name) => name.parse::<Format>().map_err(|_| {
                invalid(
                    "format",
                    format!("{name:?} is not a format; use one of {FORMAT_NAMES}"),
                )
            })?,
        };
        let filters = ExportFilters::parse(dataset, request.filters.as_ref())?;
        let options = parse_options(request.options.as_ref())?;
        Ok(Self {
            dataset,
            format,
            filters,
            options,
        })
    }

    pub fn params(&self) -> serde_json::Value {
        let stored = StoredParams {
            filters: self.filters.clone(),
            options: self.options.clone(),
        };
        serde_json::to_value(stored).unwrap_or(serde_json::Value::Null)
    }

    /// Reads the spec back from a job row.
    pub fn from_job(dataset: &str, format: &str, params: &str) -> Result<Self, String> {
        let stored: StoredParams = serde_json::from_str(params).map_err(|e| e.to_string())?;
        Ok(Self {
            dataset: dataset
                .parse()
                .map_err(|name| format!("unknown dataset {name:?}"))?,
            format: format
                .parse()
                .map_err(|e: crate::formats::FormatError| e.to_string())?,
            filters: stored.filters,
            options: stored.options,
        })
    }

    /// Returns a key that is equal for identical requests, so that a second
    /// identical request finds the first job.
    pub fn dedup_key(&self) -> String {
        let canonical = format!("{}\n{}\n{}", self.dataset, self.format, self.params());
        hex::encode(Sha256::digest(canonical.as_bytes()))
    }

    /// Returns the download's file name, such as `orders-2026-12-04.csv`.
    pub fn file_name(&self, date: chrono::NaiveDate) -> String {
        format!("{}-{date}.{}", self.dataset, self.format.extension())
    }
}

fn parse_options(value: Option<&serde_json::Value>) -> Result<ExportOptions, FilterError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(ExportOptions::default());
    };
    let Some(object) = value.as_object() else {
        return Err(invalid(
            "options",
            "must be an object such as {\"excelCompatible\": true}".into(),
        ));
    };
    if let Some(unknown) = object.keys().find(|k| k.as_str() != "excelCompatible") {
        return Err(invalid(
            &format!("options.{unknown}"),
            "unknown option; the accepted option is excelCompatible".into(),
        ));
    }
    match object.get("excelCompatible") {
        None | Some(serde_json::Value::Null) => Ok(ExportOptions::default()),
        Some(serde_json::Value::Bool(flag)) => Ok(ExportOptions {
            excel_compatible: *flag,
        }),
        Some(other) => Err(invalid(
            "options.excelCompatible",
            format!("{other} is not true or false"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(dataset: &str, format: &str) -> ExportRequest {
        ExportRequest {
            dataset: Some(dataset.into()),
            format: Some(format.into()),
            ..ExportRequest::default()
        }
    }

    #[test]
    fn unknown_dataset_names_accepted_values() {
        let error = ExportSpec::parse(&request("invoices", "csv")).unwrap_err();
        assert_eq!(error.field, "dataset");
        assert!(
            error
                .message
                .contains("customers, products, orders, order_items")
        );
    }

    #[test]
    fn unknown_format_names_accepted_values() {
        let error = ExportSpec::parse(&request("orders", "pdf")).unwrap_err();
        assert_eq!(error.field, "format");
        assert!(error.message.contains("csv, json, ndjson, xlsx"));
    }

    #[test]
    fn identical_requests_share_dedup_key() {
        let mut first = request("orders", "csv");
        first.filters = Some(json!({"status": ["paid", "shipped"]}));
        let mut second = request("orders", "csv");
        second.filters = Some(json!({"status": ["shipped", "paid"]}));
        let first = ExportSpec::parse(&first).unwrap();
        let second = ExportSpec::parse(&second).unwrap();
        assert_eq!(first.dedup_key(), second.dedup_key());
        assert_ne!(
            first.dedup_key(),
            ExportSpec::parse(&request("orders", "json"))
                .unwrap()
                .dedup_key()
        );
    }

    #[test]
    fn spec_round_trips_through_job_params() {
        let mut raw = request("orders", "xlsx");
        raw.options = Some(json!({"excelCompatible": true}));
        let spec = ExportSpec::parse(&raw).unwrap();
        let back = ExportSpec::from_job("orders", "xlsx", &spec.params().to_string()).unwrap();
        assert_eq!(back, spec);
    }

    #[test]
    fn unknown_option_rejected() {
        let mut raw = request("orders", "csv");
        raw.options = Some(json!({"zip": true}));
        assert_eq!(ExportSpec::parse(&raw).unwrap_err().field, "options.zip");
    }
}
