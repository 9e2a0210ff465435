//! JSON and NDJSON readers. Each record is one object.
//!
//! Headers are the keys of the first object in file order, followed by each
//! key first seen in a later object. Values map as follows:
//!
//! - a string is [`RawValue::Text`], or [`RawValue::Empty`] when it is `""`;
//! - an integer is [`RawValue::Number`] when an `f64` represents it exactly
//!   (magnitude up to 2^53), else [`RawValue::Text`] of its digits, so order
//!   numbers and card numbers keep every digit;
//! - a fraction is [`RawValue::Number`];
//! - `true` and `false` are [`RawValue::Bool`], and `null` is
//!   [`RawValue::Empty`];
//! - a nested object or array is [`RawValue::Text`] of its compact JSON,
//!   with object keys sorted.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use super::json_source::{ArrayElements, ElementSource, LineElements};
use super::source::{self, Fallback};
use super::{
    RawValue, ReadError, ReadLimits, ReadOptions, RecordReader, RowProblem, SourceRecord, row_note,
};

/// Largest magnitude up to which every integer has an exact `f64`.
const MAX_EXACT_INTEGER: u64 = 1 << 53;

/// Opens a file holding one JSON array of objects.
pub(super) fn open_array(
    path: &Path,
    options: &ReadOptions,
) -> Result<JsonReader<ArrayElements>, ReadError> {
    let decoded = source::open(path, options.encoding.as_deref(), Fallback::None)?;
    let elements = ArrayElements::open(decoded.reader, path)?;

    JsonReader::open(elements, options.limits)
}

/// Opens an NDJSON file: one JSON object per line.
pub(super) fn open_lines(
    path: &Path,
    options: &ReadOptions,
) -> Result<JsonReader<LineElements>, ReadError> {
    let decoded = source::open(path, options.encoding.as_deref(), Fallback::None)?;
    let elements = LineElements::new(decoded.reader, path);
    let reader = JsonReader::open(elements, options.limits)?;

    if reader.pending.is_empty() {
        return Err(ReadError::Empty);
    }

    Ok(reader)
}

pub(super) struct JsonReader<S> {
    elements: S,
    headers: Vec<String>,
    /// Position of each header in `headers`.
    columns: HashMap<String, usize>,
    limits: ReadLimits,
    /// Records read while looking for the first object.
    pending: VecDeque<SourceRecord>,
    finished: bool,
}

impl<S: ElementSource> JsonReader<S> {
    /// Reads elements up to the first object, which sets the headers.
    fn open(elements: S, limits: ReadLimits) -> Result<Self, ReadError> {
        let mut reader = JsonReader {
            elements,
            headers: Vec::new(),
            columns: HashMap::new(),
            limits,
            pending: VecDeque::new(),
            finished: false,
        };

        while let Some((row, bytes)) = reader.elements.next_element()? {
            let (record, is_object) = reader.convert_element(row, &bytes);
            reader.pending.push_back(record);

            if is_object {
                break;
            }
        }

        Ok(reader)
    }

    fn read_next(&mut self) -> Result<Option<SourceRecord>, ReadError> {
        if let Some(record) = self.pending.pop_front() {
            return Ok(Some(record));
        }

        let Some((row, bytes)) = self.elements.next_element()? else {
            return Ok(None);
        };

        Ok(Some(self.convert_element(row, &bytes).0))
    }

    /// Converts one element and reports whether it was an object.
    fn convert_element(&mut self, row: u64, bytes: &[u8]) -> (SourceRecord, bool) {
        match serde_json::from_slice::<Element>(bytes) {
            Ok(Element::Object(entries)) => (self.convert_object(row, entries), true),
            Ok(Element::Other(found)) => {
                let problem = RowProblem::NotAnObject { found };
                (self.problem_record(row, problem, bytes), false)
            }
            Err(error) => {
                let detail = error.to_string();
                (
                    self.problem_record(row, RowProblem::InvalidJson { detail }, bytes),
                    false,
                )
            }
        }
    }

    fn problem_record(&self, row: u64, problem: RowProblem, bytes: &[u8]) -> SourceRecord {
        SourceRecord {
            row,
            values: vec![RawValue::Empty; self.headers.len()],
            field_count: 0,
            note: row_note(row, &[problem]),
            raw: Some(String::from_utf8_lossy(bytes).trim().to_string()),
        }
    }

    fn convert_object(&mut self, row: u64, entries: Vec<(String, Value)>) -> SourceRecord {
        let field_count = entries.len();
        let mut problems = Vec::new();
        let mut values = vec![RawValue::Empty; self.headers.len()];
        let mut dropped_keys = false;

        for (key, value) in entries {
            let Some(index) = self.column_index(&key) else {
                dropped_keys = true;
                continue;
            };

            values.resize(self.headers.len(), RawValue::Empty);
            values[index] = self.convert_value(&key, value, &mut problems);
        }

        if dropped_keys {
            problems.push(RowProblem::TooManyColumns {
                found: field_count.max(self.headers.len() + 1),
                limit: self.limits.max_columns,
            });
        }

        SourceRecord {
            row,
            values,
            field_count,
            note: row_note(row, &problems),
            raw: None,
        }
    }

    /// Returns the header position of `key`, appending it when it is new,
    /// or `None` when the headers are already at `max_columns`.
    fn column_index(&mut self, key: &str) -> Option<usize> {
        if let Some(index) = self.columns.get(key) {
            return Some(*index);
        }

        if self.headers.len() >= self.limits.max_columns {
            return None;
        }

        let index = self.headers.len();
        self.headers.push(key.to_owned());
        self.columns.insert(key.to_owned(), index);

        Some(index)
    }

    fn convert_value(&self, key: &str, value: Value, problems: &mut Vec<RowProblem>) -> RawValue {
        match value {
            Value::Null => RawValue::Empty,
            Value::Bool(flag) => RawValue::Bool(flag),
            Value::Number(number) => number_value(&number),
            Value::String(text) if text.is_empty() => RawValue::Empty,
            Value::String(text) => self.limited_text(key, text, problems),
            nested => self.limited_text(key, nested.to_string(), problems),
        }
    }

    fn limited_text(&self, key: &str, text: String, problems: &mut Vec<RowProblem>) -> RawValue {
        if text.len() <= self.limits.max_field_bytes {
            return RawValue::Text(text);
        }

        problems.push(RowProblem::FieldTooLong {
            column: key.to_owned(),
            size: text.len(),
            limit: self.limits.max_field_bytes,
        });

        RawValue::Empty
    }
}

impl<S: ElementSource> RecordReader for JsonReader<S> {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_record(&mut self) -> Option<Result<SourceRecord, ReadError>> {
        if self.finished {
            return None;
        }

        let result = self.read_next();

        if !matches!(result, Ok(Some(_))) {
            self.finished = true;
        }

        result.transpose()
    }
}

fn number_value(number: &Number) -> RawValue {
    if let Some(integer) = number.as_i64() {
        return integer_value(integer.unsigned_abs(), integer.to_string(), integer as f64);
    }

    if let Some(integer) = number.as_u64() {
        return integer_value(integer, integer.to_string(), integer as f64);
    }

    // NOTE: without serde_json's `arbitrary_precision` feature, an integer
    // beyond the u64 range arrives here as an f64 and loses digits.
    match number.as_f64() {
        Some(float) => RawValue::Number(float),
        None => RawValue::Text(number.to_string()),
    }
}

fn integer_value(magnitude: u64, digits: String, float: f64) -> RawValue {
    if magnitude <= MAX_EXACT_INTEGER {
        RawValue::Number(float)
    } else {
        RawValue::Text(digits)
    }
}

/// Top-level element with the keys of an object in file order, which
/// `serde_json::Map` loses without the `preserve_order` feature.
enum Element {
    Object(Vec<(String, Value)>),
    /// Any other JSON value, described as "a number", "null" and so on.
    Other(&'static str),
}

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ElementVisitor)
    }
}

struct ElementVisitor;

impl<'de> Visitor<'de> for ElementVisitor {
    type Value = Element;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element, A::Error> {
        let mut entries = Vec::new();

        while let Some(entry) = map.next_entry::<String, Value>()? {
            entries.push(entry);
        }

        Ok(Element::Object(entries))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Element, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}

        Ok(Element::Other("an array"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Element, E> {
        Ok(Element::Other("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Element, E> {
        Ok(Element::Other("a number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Element, E> {
        Ok(Element::Other("a number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Element, E> {
        Ok(Element::Other("a number"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Element, E> {
        Ok(Element::Other("a string"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Element, E> {
        Ok(Element::Other("null"))
    }
}
