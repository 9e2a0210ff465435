//! What an import reads and how: parsed from a request, stored in the job's
//! parameters, and read back by the worker.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::schema;
use crate::datasets::{Dataset, FilterError, dataset_names};
use crate::formats::read::{ReadOptions, SourceFormat, normalize_header};
use crate::import::fields::DecimalSeparator;

/// Options of `POST /api/imports`, as stored in the job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportOptions {
    #[serde(default)]
    pub dry_run: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<char>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal_separator: Option<DecimalSeparator>,
    /// From a header of the file to a field of the dataset; an empty field
    /// name skips the column.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub mapping: BTreeMap<String, String>,
}

/// The request body of `POST /api/imports`, before validation.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportRequest {
    pub dataset: Option<String>,
    pub upload_key: Option<String>,
    pub format: Option<String>,
    pub options: Option<serde_json::Value>,
}

/// A validated import request.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSpec {
    pub dataset: Dataset,
    pub upload_key: String,
    /// `None` detects the format from the file name and first bytes.
    pub format: Option<SourceFormat>,
    pub options: ImportOptions,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredParams {
    upload_key: String,
    options: ImportOptions,
}

fn invalid(field: &str, message: impl Into<String>) -> FilterError {
    FilterError {
        field: field.to_string(),
        message: message.into(),
    }
}

const FORMAT_NAMES: &str = "csv, json, ndjson, xlsx";
const DELIMITERS: &str = "\",\", \";\", \"\\t\" or \"|\"";
const ENCODINGS: &[&str] = &["utf-8", "windows-1252", "utf-16le", "utf-16be"];

impl ImportSpec {
    /// Validates a request, naming the first field that is wrong.
    pub fn parse(request: &ImportRequest) -> Result<Self, FilterError> {
        let dataset = parse_dataset(request.dataset.as_deref())?;
        let upload_key = match request.upload_key.as_deref().map(str::trim) {
            None | Some("") => {
                return Err(invalid(
                    "uploadKey",
                    "is required; send the uploadKey that POST /api/uploads returned",
                ));
            }
            Some(key) => key.to_string(),
        };
        let format = match request.format.as_deref() {
            None | Some("") => None,
            Some(name) => Some(parse_format(name)?),
        };
        let options = parse_options(dataset, request.options.as_ref())?;

        Ok(Self {
            dataset,
            upload_key,
            format,
            options,
        })
    }

    pub fn params(&self) -> serde_json::Value {
        let stored = StoredParams {
            upload_key: self.upload_key.clone(),
            options: self.options.clone(),
        };
        serde_json::to_value(stored).unwrap_or(serde_json::Value::Null)
    }

    /// Reads the spec back from a job row. An empty format means "detect".
    pub fn from_job(dataset: &str, format: &str, params: &str) -> Result<Self, String> {
        let stored: StoredParams = serde_json::from_str(params).map_err(|e| e.to_string())?;
        let format = match format {
            "" => None,
            name => Some(parse_format(name).map_err(|e| e.message)?),
        };

        Ok(Self {
            dataset: dataset
                .parse()
                .map_err(|name| format!("unknown dataset {name:?}"))?,
            upload_key: stored.upload_key,
            format,
            options: stored.options,
        })
    }

    /// Returns the reader settings of this import.
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            delimiter: self.options.delimiter.map(|c| c as u8),
            encoding: self.options.encoding.clone(),
            sheet: self.options.sheet.clone(),
            ..ReadOptions::default()
        }
    }
}

fn parse_dataset(name: Option<&str>) -> Result<Dataset, FilterError> {
    match name {
        None | Some("") => Err(invalid(
            "dataset",
            format!("is required; use one of {}", dataset_names()),
        )),
        Some(name) => name.parse::<Dataset>().map_err(|name| {
            invalid(
                "dataset",
                format!("{name:?} is not a dataset; use one of {}", dataset_names()),
            )
        }),
    }
}

pub fn format_name(format: SourceFormat) -> &'static str {
    match format {
        SourceFormat::Csv => "csv",
        SourceFormat::Json => "json",
        SourceFormat::Ndjson => "ndjson",
        SourceFormat::Xlsx => "xlsx",
    }
}

fn parse_format(name: &str) -> Result<SourceFormat, FilterError> {
    match name {
        "csv" => Ok(SourceFormat::Csv),
        "json" => Ok(SourceFormat::Json),
        "ndjson" => Ok(SourceFormat::Ndjson),
        "xlsx" => Ok(SourceFormat::Xlsx),
        other => Err(invalid(
            "format",
            format!(
                "{other:?} is not a format; use one of {FORMAT_NAMES}, or leave it out to detect it from the file"
            ),
        )),
    }
}

fn parse_options(
    dataset: Dataset,
    value: Option<&serde_json::Value>,
) -> Result<ImportOptions, FilterError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(ImportOptions::default());
    };
    let Some(object) = value.as_object() else {
        return Err(invalid("options", "must be an object"));
    };

    let mut options = ImportOptions::default();
    for (name, value) in object {
        match name.as_str() {
            "dryRun" => options.dry_run = parse_bool("options.dryRun", value)?,
            "delimiter" => options.delimiter = parse_delimiter(value)?,
            "encoding" => options.encoding = parse_encoding(value)?,
            "sheet" => options.sheet = optional_text("options.sheet", value)?,
            "decimalSeparator" => options.decimal_separator = parse_separator(value)?,
            "mapping" => options.mapping = parse_mapping(dataset, value)?,
            other => {
                return Err(invalid(
                    &format!("options.{other}"),
                    "is not an import option; use dryRun, delimiter, encoding, sheet, decimalSeparator or mapping",
                ));
            }
        }
    }
    Ok(options)
}

fn parse_bool(field: &str, value: &serde_json::Value) -> Result<bool, FilterError> {
    value
        .as_bool()
        .ok_or_else(|| invalid(field, format!("must be true or false, not {value}")))
}

fn optional_text(field: &str, value: &serde_json::Value) -> Result<Option<String>, FilterError> {
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(text) if text.trim().is_empty() => Ok(None),
        serde_json::Value::String(text) => Ok(Some(text.clone())),
        other => Err(invalid(field, format!("must be a string, not {other}"))),
    }
}

fn parse_delimiter(value: &serde_json::Value) -> Result<Option<char>, FilterError> {
    let Some(text) = optional_text("options.delimiter", value)? else {
        return Ok(None);
    };
    let text = if text == "\\t" { "\t" } else { text.as_str() };

    match text {
        "," | ";" | "\t" | "|" => Ok(text.chars().next()),
        other => Err(invalid(
            "options.delimiter",
            format!(
                "{other:?} is not a supported delimiter; use {DELIMITERS}, or leave it out to detect it"
            ),
        )),
    }
}

fn parse_encoding(value: &serde_json::Value) -> Result<Option<String>, FilterError> {
    let Some(text) = optional_text("options.encoding", value)? else {
        return Ok(None);
    };
    let label = text.trim().to_ascii_lowercase();
    let label = match label.as_str() {
        "utf8" => "utf-8".to_string(),
        "cp1252" | "latin1" | "iso-8859-1" => "windows-1252".to_string(),
        _ => label,
    };

    if ENCODINGS.contains(&label.as_str()) {
        return Ok(Some(label));
    }
    Err(invalid(
        "options.encoding",
        format!(
            "{text:?} is not a supported encoding; use one of {}, or leave it out to detect it",
            ENCODINGS.join(", ")
        ),
    ))
}

fn parse_separator(value: &serde_json::Value) -> Result<Option<DecimalSeparator>, FilterError> {
    match optional_text("options.decimalSeparator", value)?.as_deref() {
        None => Ok(None),
        Some("dot" | ".") => Ok(Some(DecimalSeparator::Dot)),
        Some("comma" | ",") => Ok(Some(DecimalSeparator::Comma)),
        Some(other) => Err(invalid(
            "options.decimalSeparator",
            format!("{other:?} is not a decimal separator; use \"dot\" or \"comma\""),
        )),
    }
}

fn parse_mapping(
    dataset: Dataset,
    value: &serde_json::Value,
) -> Result<BTreeMap<String, String>, FilterError> {
    let Some(object) = value.as_object() else {
        return Err(invalid(
            "options.mapping",
            "must be an object from a column header of the file to a field name",
        ));
    };

    let mut mapping = BTreeMap::new();
    for (header, field) in object {
        let field = optional_text(&format!("options.mapping.{header}"), field)?.unwrap_or_default();
        if !field.is_empty() && schema::field(dataset, &field).is_none() {
            return Err(invalid(
                &format!("options.mapping.{header}"),
                format!(
                    "{field:?} is not a field of {dataset}; use one of {}, or \"\" to skip the column",
                    schema::field_names(dataset)
                ),
            ));
        }
        mapping.insert(normalize_header(header), field);
    }
    Ok(mapping)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(options: serde_json::Value) -> ImportRequest {
        ImportRequest {
            dataset: Some("customers".into()),
            upload_key: Some("abc".into()),
            format: None,
            options: Some(options),
        }
    }

    #[test]
    fn options_parse_and_round_trip() {
        let spec = ImportSpec::parse(&request(json!({
            "dryRun": true,
            "delimiter": ";",
            "encoding": "UTF8",
            "decimalSeparator": "comma",
            "mapping": {"E-Mail Address": "email", "Notes": ""}
        })))
        .unwrap();
        assert!(spec.options.dry_run);
        assert_eq!(spec.options.delimiter, Some(';'));
        assert_eq!(spec.options.encoding.as_deref(), Some("utf-8"));
        assert_eq!(spec.options.mapping["e-mail address"], "email");

        let stored = spec.params().to_string();
        let back = ImportSpec::from_job("customers", "", &stored).unwrap();
        assert_eq!(back, spec);
    }

    #[test]
    fn unknown_values_name_the_field() {
        let error = ImportSpec::parse(&request(json!({"delimiter": "x"}))).unwrap_err();
        assert_eq!(error.field, "options.delimiter");
        let error = ImportSpec::parse(&request(json!({"mapping": {"A": "nope"}}))).unwrap_err();
        assert_eq!(error.field, "options.mapping.A");
        assert!(error.message.contains("email"), "{}", error.message);
        let error = ImportSpec::parse(&request(json!({"colour": 1}))).unwrap_err();
        assert_eq!(error.field, "options.colour");
    }

    #[test]
    fn dataset_and_upload_key_are_required() {
        let mut missing = request(json!({}));
        missing.upload_key = None;
        assert_eq!(ImportSpec::parse(&missing).unwrap_err().field, "uploadKey");
        missing.dataset = Some("users".into());
        assert_eq!(ImportSpec::parse(&missing).unwrap_err().field, "dataset");
    }
}
