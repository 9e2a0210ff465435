//! Tests of the readers through [`open_reader`]: each test writes a real
//! file and reads it back.

#![allow(clippy::unwrap_used, reason = "a failed test panics")]

mod csv;
mod detect;
mod json;

use std::path::PathBuf;

use tempfile::TempDir;

use super::{
    RawValue, ReadError, ReadOptions, RecordReader, SourceFormat, SourceRecord, open_reader,
};

/// Headers and records of a file read to its end without a fatal error.
struct Parsed {
    headers: Vec<String>,
    records: Vec<SourceRecord>,
}

impl Parsed {
    fn values(&self, index: usize) -> &[RawValue] {
        &self.records[index].values
    }

    fn rows(&self) -> Vec<u64> {
        self.records.iter().map(|record| record.row).collect()
    }

    fn note(&self, index: usize) -> Option<&str> {
        self.records[index].note.as_deref()
    }
}

fn write_file(format: SourceFormat, content: &[u8]) -> (TempDir, PathBuf) {
    let extension = match format {
        SourceFormat::Csv => "csv",
        SourceFormat::Json => "json",
        SourceFormat::Ndjson => "ndjson",
        SourceFormat::Xlsx => "xlsx",
    };

    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join(format!("import.{extension}"));
    std::fs::write(&path, content).unwrap();

    (directory, path)
}

fn open_file(
    format: SourceFormat,
    content: &[u8],
    options: &ReadOptions,
) -> Result<Box<dyn RecordReader>, ReadError> {
    let (_directory, path) = write_file(format, content);

    open_reader(format, &path, options)
}

fn open_error(format: SourceFormat, content: &[u8], options: &ReadOptions) -> ReadError {
    match open_file(format, content, options) {
        Ok(_) => panic!("expected open_reader to fail"),
        Err(error) => error,
    }
}

fn read_with(format: SourceFormat, content: &[u8], options: &ReadOptions) -> Parsed {
    let mut reader = open_file(format, content, options).unwrap();
    let mut records = Vec::new();

    while let Some(result) = reader.next_record() {
        records.push(result.unwrap());
    }

    Parsed {
        headers: reader.headers().to_vec(),
        records,
    }
}

fn read(format: SourceFormat, content: &[u8]) -> Parsed {
    read_with(format, content, &ReadOptions::default())
}

fn text(value: &str) -> RawValue {
    RawValue::Text(value.to_owned())
}

fn texts(values: &[&str]) -> Vec<RawValue> {
    values.iter().map(|value| text(value)).collect()
}
