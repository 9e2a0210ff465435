//! The reading side of an import, run on a blocking thread: a first pass
//! that checks the header and counts the records, then a pass that
//! validates the records and hands them over in chunks.

use std::path::PathBuf;

use tokio::sync::mpsc;

use super::duplicates::KeyTracker;
use super::fields::DecimalSeparator;
use super::records::{self, Record, RowError, key_description};
use super::schema::{self, ColumnMap, HeaderError};
use crate::datasets::Dataset;
use crate::formats::read::{
    CsvDialect, RawValue, ReadError, ReadOptions, RecordReader, SourceFormat, open_reader,
};

/// Records per chunk, and so per transaction.
pub const CHUNK_ROWS: usize = 1_000;

/// Failures that stop an import from reading its file.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{}", capitalized(.0))]
    Read(#[from] ReadError),
    #[error(transparent)]
    Header(#[from] HeaderError),
    #[error(
        "The file has a header row but no data rows. Add rows below the header and upload it again."
    )]
    NoRows,
}

fn capitalized(error: &ReadError) -> String {
    let text = error.to_string();
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), characters.as_str()),
        None => text,
    }
}

/// Result of the first pass over the file.
pub struct Preflight {
    pub map: ColumnMap,
    pub total: u64,
}

/// The file's location and the settings to read it with.
#[derive(Clone)]
pub struct SourceFile {
    pub format: SourceFormat,
    pub path: PathBuf,
    pub options: ReadOptions,
    pub dataset: Dataset,
    pub separator: Option<DecimalSeparator>,
}

/// Checks the header and counts the records. A file that is broken part
/// way fails here, before any row is written.
pub fn preflight(
    file: &SourceFile,
    mapping: &std::collections::BTreeMap<String, String>,
) -> Result<Preflight, SourceError> {
    let mut reader = open_reader(file.format, &file.path, &file.options)?;
    let mut total = 0;
    while let Some(record) = reader.next_record() {
        record?;
        total += 1;
    }
    // JSON objects can add keys as they go; the full list is known now,
    // and every key keeps its position.
    let map = schema::match_headers(file.dataset, reader.headers(), mapping)?;
    if total == 0 {
        return Err(SourceError::NoRows);
    }
    Ok(Preflight { map, total })
}

/// A record that failed, with its original values for the failed-rows file.
pub struct Failure {
    pub row: u64,
    pub values: Vec<RawValue>,
    /// Source text of a JSON element that was not an object.
    pub raw: Option<String>,
    pub errors: Vec<RowError>,
}

/// A valid record, with its values when a later check can still fail it.
pub struct Accepted {
    pub row: u64,
    pub record: Record,
    pub values: Option<Vec<RawValue>>,
}

/// Up to [`CHUNK_ROWS`] consecutive records.
#[derive(Default)]
pub struct Chunk {
    pub last_row: u64,
    pub count: u64,
    pub accepted: Vec<Accepted>,
    pub failures: Vec<Failure>,
}

/// The end of the reading pass.
pub struct Produced {
    /// The headers as the file spells them, including any added by later
    /// JSON objects.
    pub headers: Vec<String>,
    pub dialect: Option<CsvDialect>,
}

impl Produced {
    fn of(reader: &dyn RecordReader) -> Self {
        Produced {
            headers: reader.headers().to_vec(),
            dialect: reader.csv_dialect(),
        }
    }
}

/// Reads and validates the records after `resume_after`, sending them in
/// chunks until the end of the file, a read error, or a closed channel.
/// `expected` is the record count of the first pass.
/// Records up to `resume_after` were committed before; they are validated
/// again only to learn their keys.
pub fn produce(
    file: &SourceFile,
    map: &ColumnMap,
    (expected, resume_after): (u64, u64),
    sender: &mpsc::Sender<Result<Chunk, SourceError>>,
) -> Produced {
    let mut reader = match open_reader(file.format, &file.path, &file.options) {
        Ok(reader) => reader,
        Err(error) => {
            let _ = sender.blocking_send(Err(error.into()));
            return Produced {
                headers: Vec::new(),
                dialect: None,
            };
        }
    };
    let keep_values = file.dataset == Dataset::OrderItems;
    let mut keys = KeyTracker::with_capacity(usize::try_from(expected).unwrap_or(0));
    let mut chunk = Chunk::default();

    while let Some(next) = reader.next_record() {
        let record = match next {
            Ok(record) => record,
            Err(error) => {
                let _ = sender.blocking_send(Err(error.into()));
                return Produced::of(reader.as_ref());
            }
        };
        let checked = check(
            file,
            map,
            &record.values,
            record.note.as_deref(),
            &mut keys,
            record.row,
        );
        if record.row <= resume_after {
            continue;
        }

        chunk.last_row = record.row;
        chunk.count += 1;
        match checked {
            Ok(accepted) => chunk.accepted.push(Accepted {
                row: record.row,
                record: accepted,
                values: keep_values.then(|| record.values.clone()),
            }),
            Err(errors) => chunk.failures.push(Failure {
                row: record.row,
                values: record.values,
                raw: record.raw,
                errors,
            }),
        }
        if chunk.count as usize >= CHUNK_ROWS
            && sender
                .blocking_send(Ok(std::mem::take(&mut chunk)))
                .is_err()
        {
            return Produced::of(reader.as_ref());
        }
    }

    if chunk.count > 0 {
        let _ = sender.blocking_send(Ok(chunk));
    }
    Produced::of(reader.as_ref())
}

/// Validates one record and checks that its key is new in the file.
fn check(
    file: &SourceFile,
    map: &ColumnMap,
    values: &[RawValue],
    note: Option<&str>,
    keys: &mut KeyTracker,
    row: u64,
) -> Result<Record, Vec<RowError>> {
    // A record the reader could not parse at all, such as a line of
    // broken JSON, has no values. Its fields' "is required" errors would
    // only repeat the reader's note.
    if let Some(note) = note
        && values.iter().all(|value| *value == RawValue::Empty)
    {
        return Err(vec![records::note_error(note)]);
    }

    let validated = records::validate(file.dataset, map, values, file.separator);
    let mut errors = Vec::new();
    if let Some(note) = note {
        errors.push(records::note_error(note));
    }

    match validated {
        Ok(record) => {
            if let Some(first) = keys.insert(&record.key(), row) {
                errors.push(repeated_key(file.dataset, &record, first));
            }
            if errors.is_empty() {
                return Ok(record);
            }
        }
        Err(mut field_errors) => errors.append(&mut field_errors),
    }
    Err(errors)
}

fn repeated_key(dataset: Dataset, record: &Record, first: u64) -> RowError {
    let (field, what) = key_description(dataset);
    let value = match record {
        Record::Item(item) => format!("{} line {}", item.order_number, item.line_number),
        other => other.key(),
    };
    RowError::new(
        field,
        value.clone(),
        format!(
            "{value:?} repeats the {what} of row {first}; each {what} may appear once in a file, so remove or change one of the rows"
        ),
    )
}
