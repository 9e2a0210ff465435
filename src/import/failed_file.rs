//! The failed-rows file: the rows an import rejected, in the upload's
//! format, with their original columns and an `error` column last. A
//! fixed copy imports as it is, since imports skip the `error` column.

use std::io::{BufWriter, Write};
use std::path::Path;

use rust_xlsxwriter::{Format as CellFormat, Workbook};
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use super::schema::{ERROR_COLUMN, header_key};
use crate::formats::encode::EncodingWriter;
use crate::formats::read::{CsvDialect, SourceFormat};

/// Original content of one failed row.
pub enum FailedValues {
    /// Values in the order of the upload's headers.
    Columns(Vec<Value>),
    /// Source text of a JSON element that was not an object, such as an
    /// NDJSON line that is not valid JSON.
    Raw(String),
}

/// Pages of failed rows: the original content and the error text.
pub type FailedPage = Vec<(FailedValues, String)>;

/// The columns of the file: the upload's, without an earlier error column.
struct Columns {
    names: Vec<String>,
    /// Index in the stored values of each kept column.
    sources: Vec<usize>,
}

fn columns(headers: &[String]) -> Columns {
    let kept = headers
        .iter()
        .enumerate()
        .filter(|(_, header)| header_key(header) != ERROR_COLUMN);
    let (sources, mut names): (Vec<usize>, Vec<String>) =
        kept.map(|(index, header)| (index, header.clone())).unzip();
    names.push(ERROR_COLUMN.to_string());
    Columns { names, sources }
}

/// Writes the failed rows to `path`. A CSV file gets the upload's
/// delimiter and encoding when `dialect` has them.
pub fn write(
    (format, dialect): (SourceFormat, Option<CsvDialect>),
    path: &Path,
    headers: &[String],
    receiver: mpsc::Receiver<FailedPage>,
) -> std::io::Result<()> {
    let columns = columns(headers);
    match format {
        SourceFormat::Csv => write_csv(path, dialect, &columns, receiver),
        SourceFormat::Json => write_json(path, &columns, receiver, false),
        SourceFormat::Ndjson => write_json(path, &columns, receiver, true),
        SourceFormat::Xlsx => write_xlsx(path, &columns, receiver).map_err(std::io::Error::other),
    }
}

fn value_at(values: &[Value], index: usize) -> &Value {
    values.get(index).unwrap_or(&Value::Null)
}

/// Returns a value as CSV text, with the spreadsheet formula guard on text
/// that is not a number.
fn csv_text(value: &Value) -> String {
    let text = match value {
        Value::Null => return String::new(),
        Value::String(text) => text.clone(),
        Value::Number(number) => return number_text(number),
        other => return other.to_string(),
    };
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']);
    if risky && text.trim().parse::<f64>().is_err() {
        return format!("'{text}");
    }
    text
}

/// Writes a whole number without the `.0` that a float would add, so an
/// identifier read as a number cell stays the same text.
fn number_text(number: &serde_json::Number) -> String {
    match number.as_f64() {
        Some(value) if value.fract() == 0.0 && value.abs() < 1e15 => format!("{}", value as i64),
        _ => number.to_string(),
    }
}

fn write_csv(
    path: &Path,
    dialect: Option<CsvDialect>,
    columns: &Columns,
    mut receiver: mpsc::Receiver<FailedPage>,
) -> std::io::Result<()> {
    let dialect = dialect.unwrap_or(CsvDialect {
        delimiter: b',',
        encoding: encoding_rs::UTF_8,
        bom: false,
    });
    let file = BufWriter::new(std::fs::File::create(path)?);
    let output = EncodingWriter::new(file, dialect.encoding, dialect.bom)?;
    let mut writer = csv::WriterBuilder::new()
        .delimiter(dialect.delimiter)
        .from_writer(output);
    writer.write_record(&columns.names)?;
    while let Some(page) = receiver.blocking_recv() {
        for (content, error) in page {
            let mut record: Vec<String> = match &content {
                FailedValues::Columns(values) => columns
                    .sources
                    .iter()
                    .map(|&index| csv_text(value_at(values, index)))
                    .collect(),
                FailedValues::Raw(text) => vec![text.clone()],
            };
            record.push(error);
            writer.write_record(&record)?;
        }
    }
    writer.flush()
}

fn write_json(
    path: &Path,
    columns: &Columns,
    mut receiver: mpsc::Receiver<FailedPage>,
    lines: bool,
) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    if !lines {
        out.write_all(b"[")?;
    }
    let mut first = true;
    while let Some(page) = receiver.blocking_recv() {
        for (content, error) in page {
            if !lines && !first {
                out.write_all(b",")?;
            }
            if !lines {
                out.write_all(b"\n")?;
            }
            first = false;

            match content {
                FailedValues::Columns(values) => {
                    let object = json_object(columns, &values, error);
                    serde_json::to_writer(&mut out, &object)?;
                }
                // The element is written back as it was, to be fixed in
                // place. Its error is in the report, since it has no object
                // to hold an error key.
                FailedValues::Raw(text) => out.write_all(text.as_bytes())?,
            }
            if lines {
                out.write_all(b"\n")?;
            }
        }
    }
    if !lines {
        out.write_all(b"\n]\n")?;
    }
    out.flush()
}

fn json_object(columns: &Columns, values: &[Value], error: String) -> Map<String, Value> {
    let mut object = Map::new();
    for (name, &index) in columns.names.iter().zip(&columns.sources) {
        object.insert(name.clone(), value_at(values, index).clone());
    }
    object.insert(ERROR_COLUMN.to_string(), Value::String(error));
    object
}

fn write_xlsx(
    path: &Path,
    columns: &Columns,
    mut receiver: mpsc::Receiver<FailedPage>,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("Failed rows")?;
    let bold = CellFormat::new().set_bold();
    for (column, name) in columns.names.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, name, &bold)?;
    }

    // TODO: continue on a second sheet past the 1,048,575 rows one holds.
    let mut row = 1_u32;
    while let Some(page) = receiver.blocking_recv() {
        for (content, error) in page {
            match &content {
                FailedValues::Columns(values) => {
                    for (column, &index) in columns.sources.iter().enumerate() {
                        write_cell(sheet, row, column as u16, value_at(values, index))?;
                    }
                }
                FailedValues::Raw(text) => {
                    sheet.write_string(row, 0, excel_text(text))?;
                }
            }
            sheet.write_string(row, columns.sources.len() as u16, excel_text(&error))?;
            row += 1;
        }
    }
    workbook.save(path)
}

/// Most characters an Excel cell holds.
const EXCEL_CELL_CHARS: usize = 32_767;

/// Returns `text` cut to what one cell holds; such a value was rejected
/// as too long anyway, and the row's other cells stay whole.
fn excel_text(text: &str) -> &str {
    match text.char_indices().nth(EXCEL_CELL_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

fn write_cell(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    column: u16,
    value: &Value,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    match value {
        Value::Null => {}
        Value::Bool(flag) => {
            sheet.write_boolean(row, column, *flag)?;
        }
        Value::Number(number) => {
            sheet.write_number(row, column, number.as_f64().unwrap_or_default())?;
        }
        Value::String(text) => {
            sheet.write_string(row, column, excel_text(text))?;
        }
        other => {
            sheet.write_string(row, column, other.to_string())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_replace_error_column() {
        let headers = vec!["email".to_string(), "Error".to_string(), "name".to_string()];
        let columns = columns(&headers);
        assert_eq!(columns.names, ["email", "name", "error"]);
        assert_eq!(columns.sources, [0, 2]);
    }

    #[test]
    fn formulas_are_guarded_but_numbers_are_not() {
        assert_eq!(csv_text(&Value::String("=SUM(A1)".into())), "'=SUM(A1)");
        assert_eq!(csv_text(&Value::String("-5.00".into())), "-5.00");
        assert_eq!(csv_text(&serde_json::json!(12.5)), "12.5");
    }
}
