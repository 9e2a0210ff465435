use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use rust_xlsxwriter::{Format, Workbook as XlsxWorkbook, Worksheet};
use tempfile::TempDir;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::guard::{Budget, scan_part};
use super::values::serial_to_datetime;
use super::*;

const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PACKAGE_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

fn datetime(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S").unwrap()
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn sheet_options(name: &str) -> ReadOptions {
    ReadOptions {
        sheet: Some(name.to_owned()),
        ..ReadOptions::default()
    }
}

/// Saves a workbook built by `build` with rust_xlsxwriter.
fn saved_workbook(dir: &TempDir, build: impl FnOnce(&mut XlsxWorkbook)) -> PathBuf {
    let path = dir.path().join("book.xlsx");
    let mut workbook = XlsxWorkbook::new();
    build(&mut workbook);
    workbook.save(&path).unwrap();
    path
}

/// Saves a workbook of one sheet filled by `fill`.
fn one_sheet(dir: &TempDir, fill: impl FnOnce(&mut Worksheet)) -> PathBuf {
    saved_workbook(dir, |workbook| fill(workbook.add_worksheet()))
}

fn read_all(path: &Path, options: &ReadOptions) -> (Vec<String>, Vec<SourceRecord>) {
    let mut reader = open(path, options).unwrap();
    let headers = reader.headers().to_vec();
    let mut records = Vec::new();

    while let Some(record) = reader.next_record() {
        records.push(record.unwrap());
    }
    (headers, records)
}

fn records(path: &Path) -> Vec<SourceRecord> {
    read_all(path, &ReadOptions::default()).1
}

/// Returns the error of `open`, or else the first error among the records.
fn read_error(path: &Path, options: &ReadOptions) -> ReadError {
    let mut reader = match open(path, options) {
        Ok(reader) => reader,
        Err(error) => return error,
    };

    while let Some(record) = reader.next_record() {
        if let Err(error) = record {
            return error;
        }
    }
    panic!("reading {} succeeded", path.display());
}

/// Parts of a one-sheet workbook written by hand, for XML that
/// rust_xlsxwriter does not produce. `workbook_pr` goes into the workbook
/// part; `sheet_data` is the content of `<sheetData>`. Style 1 has the
/// built-in number format 22, `m/d/yy h:mm`.
fn hand_written_parts(workbook_pr: &str, sheet_data: &str) -> Vec<(String, Vec<u8>)> {
    let parts = [
        (
            "[Content_Types].xml",
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
                 <Default Extension=\"rels\" \
                 ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
                 <Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>"
                .to_owned(),
        ),
        (
            "_rels/.rels",
            format!(
                "<Relationships xmlns=\"{PACKAGE_REL_NS}\"><Relationship Id=\"rId1\" \
                 Type=\"{REL_NS}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"
            ),
        ),
        (
            "xl/workbook.xml",
            format!(
                "<workbook xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\">{workbook_pr}<sheets>\
                 <sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!(
                "<Relationships xmlns=\"{PACKAGE_REL_NS}\">\
                 <Relationship Id=\"rId1\" Type=\"{REL_NS}/worksheet\" \
                 Target=\"worksheets/sheet1.xml\"/>\
                 <Relationship Id=\"rId2\" Type=\"{REL_NS}/styles\" Target=\"styles.xml\"/>\
                 </Relationships>"
            ),
        ),
        (
            "xl/styles.xml",
            format!(
                "<styleSheet xmlns=\"{MAIN_NS}\"><cellXfs count=\"2\"><xf numFmtId=\"0\"/>\
                 <xf numFmtId=\"22\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>"
            ),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!(
                "<worksheet xmlns=\"{MAIN_NS}\"><sheetData>{sheet_data}</sheetData></worksheet>"
            ),
        ),
    ];

    parts
        .into_iter()
        .map(|(name, text)| (name.to_owned(), text.into_bytes()))
        .collect()
}

fn write_zip(dir: &TempDir, parts: &[(String, Vec<u8>)]) -> PathBuf {
    let path = dir.path().join("hand.xlsx");
    let mut zip = ZipWriter::new(File::create(&path).unwrap());
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);

    for (name, bytes) in parts {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path
}

fn hand_written(dir: &TempDir, workbook_pr: &str, sheet_data: &str) -> PathBuf {
    write_zip(dir, &hand_written_parts(workbook_pr, sheet_data))
}

/// A header row `When` and one data row holding 45292.5 with the
/// date-time format.
const SERIAL_SHEET: &str = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>When</t></is></c></row>\
     <row r=\"2\"><c r=\"A2\" s=\"1\"><v>45292.5</v></c></row>";

fn first_value(path: &Path) -> RawValue {
    records(path)[0].values[0].clone()
}

#[test]
fn text_cells_keep_their_original_text() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write(0, 0, "Name").unwrap();
        sheet.write(1, 0, " Widget  ").unwrap();
    });

    assert_eq!(first_value(&path), RawValue::Text(" Widget  ".to_owned()));
}

#[test]
fn number_cells_read_as_numbers() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write(0, 0, "Price").unwrap();
        sheet.write(1, 0, 12.5).unwrap();
    });

    assert_eq!(first_value(&path), RawValue::Number(12.5));
}

#[test]
fn boolean_cells_read_as_booleans() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write(0, 0, "Active").unwrap();
        sheet.write(1, 0, true).unwrap();
    });

    assert_eq!(first_value(&path), RawValue::Bool(true));
}

#[test]
fn header_names_are_trimmed_and_numbers_become_text() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write(0, 0, " Name ").unwrap();
        sheet.write(0, 1, 2024).unwrap();
    });

    let (headers, _) = read_all(&path, &ReadOptions::default());

    assert_eq!(headers, ["Name", "2024"]);
}

#[test]
fn date_time_format_reads_serial_as_date_time() {
    let dir = TempDir::new().unwrap();
    let path = hand_written(&dir, "", SERIAL_SHEET);

    assert_eq!(
        first_value(&path),
        RawValue::DateTime(datetime("2024-01-01T12:00:00"))
    );
}

#[test]
fn date1904_workbook_counts_from_1904() {
    let dir = TempDir::new().unwrap();
    let path = hand_written(&dir, "<workbookPr date1904=\"1\"/>", SERIAL_SHEET);

    // 45292 days after 1904-01-01 is 2028-01-02: the 1900 system's
    // 2024-01-01 plus the 1462 days between the two epochs.
    assert_eq!(
        first_value(&path),
        RawValue::DateTime(datetime("2028-01-02T12:00:00"))
    );
}

#[test]
fn date_format_at_midnight_reads_as_date() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        let format = Format::new().set_num_format("yyyy-mm-dd");
        sheet.write(0, 0, "Day").unwrap();
        sheet
            .write_with_format(1, 0, &date("2024-01-01"), &format)
            .unwrap();
    });

    assert_eq!(first_value(&path), RawValue::Date(date("2024-01-01")));
}

#[test]
fn serial_60_reads_as_february_28() {
    let datetime = serial_to_datetime(60.0, false).unwrap();

    assert_eq!(datetime.date(), date("1900-02-28"));
}

#[test]
fn inline_string_runs_are_joined() {
    let dir = TempDir::new().unwrap();
    let sheet = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Item</t></is></c></row>\
         <row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><r><t>Wid</t></r>\
         <r><t xml:space=\"preserve\">get </t></r></is></c></row>";
    let path = hand_written(&dir, "", sheet);

    assert_eq!(first_value(&path), RawValue::Text("Widget ".to_owned()));
}

/// Saves a sheet whose column A merges A2:A4 around the value `Acme`,
/// with an order number in column B of each row.
fn merged_sheet(dir: &TempDir) -> PathBuf {
    one_sheet(dir, |sheet| {
        sheet.write(0, 0, "Customer").unwrap();
        sheet.write(0, 1, "Order").unwrap();
        sheet
            .merge_range(1, 0, 3, 0, "Acme", &Format::new())
            .unwrap();

        for row in 1..=3 {
            sheet.write(row, 1, f64::from(row)).unwrap();
        }
    })
}

fn merge_note(row: u64) -> String {
    format!(
        "row {row}: column A is part of the merged range A2:A4, whose value is only in A2; \
         unmerge the cells and fill in every row"
    )
}

#[test]
fn merged_range_notes_its_second_row() {
    let dir = TempDir::new().unwrap();
    let records = records(&merged_sheet(&dir));

    assert_eq!(records[1].note, Some(merge_note(3)));
}

#[test]
fn merged_range_notes_its_last_row() {
    let dir = TempDir::new().unwrap();
    let records = records(&merged_sheet(&dir));

    assert_eq!(records[2].note, Some(merge_note(4)));
}

#[test]
fn merged_range_leaves_its_first_row_without_note() {
    let dir = TempDir::new().unwrap();
    let records = records(&merged_sheet(&dir));

    assert_eq!(records[0].note, None);
}

#[test]
fn merged_value_stays_in_first_row() {
    let dir = TempDir::new().unwrap();
    let records = records(&merged_sheet(&dir));

    assert_eq!(records[0].values[0], RawValue::Text("Acme".to_owned()));
}

#[test]
fn sheet_option_selects_the_named_sheet() {
    let dir = TempDir::new().unwrap();
    let path = two_sheets(&dir);

    let (headers, _) = read_all(&path, &sheet_options("Second"));

    assert_eq!(headers, ["Beta"]);
}

#[test]
fn first_sheet_is_read_by_default() {
    let dir = TempDir::new().unwrap();
    let path = two_sheets(&dir);

    let (headers, _) = read_all(&path, &ReadOptions::default());

    assert_eq!(headers, ["Alpha"]);
}

#[test]
fn missing_sheet_is_named_with_the_available_ones() {
    let dir = TempDir::new().unwrap();
    let path = two_sheets(&dir);

    let error = read_error(&path, &sheet_options("Third"));
    let ReadError::SheetNotFound { name, available } = error else {
        panic!("expected a missing sheet, got {error:?}");
    };

    assert_eq!(name, "Third");
    assert_eq!(available, ["First", "Second"]);
}

fn two_sheets(dir: &TempDir) -> PathBuf {
    saved_workbook(dir, |workbook| {
        let first = workbook.add_worksheet().set_name("First").unwrap();
        first.write(0, 0, "Alpha").unwrap();

        let second = workbook.add_worksheet().set_name("Second").unwrap();
        second.write(0, 0, "Beta").unwrap();
    })
}

#[test]
fn header_only_sheet_has_no_records() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write(0, 0, "Name").unwrap();
    });

    assert!(records(&path).is_empty());
}

#[test]
fn empty_sheet_is_an_error() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |_| {});

    let error = read_error(&path, &ReadOptions::default());

    assert!(matches!(error, ReadError::Empty), "{error:?}");
}

#[test]
fn blank_rows_skipped_numbering_kept() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write(0, 0, "Name").unwrap();
        sheet.write(1, 0, "first").unwrap();
        sheet.write(2, 0, "   ").unwrap();
        sheet.write(3, 0, "second").unwrap();
    });

    let rows: Vec<u64> = records(&path).iter().map(|record| record.row).collect();

    assert_eq!(rows, [2, 4]);
}

#[test]
fn header_is_the_first_non_blank_row() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write(2, 0, "Name").unwrap();
        sheet.write(3, 0, "first").unwrap();
    });

    let (headers, records) = read_all(&path, &ReadOptions::default());

    assert_eq!(headers, ["Name"]);
    assert_eq!(records[0].row, 4);
}

#[test]
fn values_are_padded_to_the_header_width() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write(0, 0, "Name").unwrap();
        sheet.write(0, 2, "Price").unwrap();
        sheet.write(1, 0, "Widget").unwrap();
    });

    assert_eq!(
        records(&path)[0].values,
        [
            RawValue::Text("Widget".to_owned()),
            RawValue::Empty,
            RawValue::Empty
        ]
    );
}

#[test]
fn cells_beyond_the_header_count_as_fields() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write(0, 0, "Name").unwrap();
        sheet.write(1, 0, "Widget").unwrap();
        sheet.write(1, 3, "stray").unwrap();
    });

    let record = &records(&path)[0];

    assert_eq!(record.values.len(), 1);
    assert_eq!(record.field_count, 4);
}

#[test]
fn text_longer_than_the_field_limit_is_rejected() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write(0, 0, "Name").unwrap();
        sheet.write(1, 0, "x".repeat(11)).unwrap();
    });
    let mut options = ReadOptions::default();
    options.limits.max_field_bytes = 10;

    let error = read_error(&path, &options);
    let ReadError::FieldTooLarge { row, column, limit } = error else {
        panic!("expected a field too large, got {error:?}");
    };

    assert_eq!(row, 2);
    assert_eq!(column, "A");
    assert_eq!(limit, 10);
}

#[test]
fn header_wider_than_the_column_limit_is_rejected() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        for column in 0..4 {
            sheet.write(0, column, "Name").unwrap();
        }
    });
    let mut options = ReadOptions::default();
    options.limits.max_columns = 3;

    let error = read_error(&path, &options);

    assert!(
        matches!(error, ReadError::TooManyColumns { limit: 3, .. }),
        "{error:?}"
    );
}

const BOMB_LIMIT: u64 = 100 * 1024 * 1024;
const BOMB_SHEET_BYTES: usize = 300 * 1024 * 1024;

/// Writes a workbook whose sheet inflates to 300 MiB of identical rows.
/// The sheet is written in 1 MiB pieces, so the test's own memory stays
/// small too.
fn bomb(dir: &TempDir) -> PathBuf {
    let path = dir.path().join("bomb.xlsx");
    let mut zip = ZipWriter::new(File::create(&path).unwrap());
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);

    for (name, bytes) in hand_written_parts("", "") {
        if name != "xl/worksheets/sheet1.xml" {
            zip.start_file(name, options).unwrap();
            zip.write_all(&bytes).unwrap();
        }
    }

    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    write!(zip, "<worksheet xmlns=\"{MAIN_NS}\"><sheetData>").unwrap();

    let piece = "<row><c><v>1</v></c></row>".repeat(1024 * 1024 / 26);
    for _ in 0..BOMB_SHEET_BYTES / piece.len() {
        zip.write_all(piece.as_bytes()).unwrap();
    }
    write!(zip, "</sheetData></worksheet>").unwrap();
    zip.finish().unwrap();
    path
}

#[test]
fn zip_bomb_rejected_as_too_large() {
    let dir = TempDir::new().unwrap();
    let path = bomb(&dir);
    let mut options = ReadOptions::default();
    options.limits.max_decompressed_bytes = BOMB_LIMIT;

    let message = read_error(&path, &options).to_string();

    assert!(
        message.contains("file too large when decompressed"),
        "{message}"
    );
    assert!(message.contains("104,857,600 bytes"), "{message}");
}

#[test]
fn inflating_past_the_budget_stops_at_the_limit() {
    let part = io::repeat(b'x').take(10 * 1024 * 1024);
    let mut budget = Budget::new(1024 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];

    let error = scan_part(part, &mut budget, &mut chunk).unwrap_err();

    assert!(
        matches!(error, ReadError::TooLargeDecompressed { limit: 1_048_576 }),
        "{error:?}"
    );
}

#[test]
fn archive_with_too_many_entries_is_rejected() {
    let dir = TempDir::new().unwrap();
    let path = hand_written(&dir, "", SERIAL_SHEET);
    let mut options = ReadOptions::default();
    options.limits.max_zip_entries = 5;

    let error = read_error(&path, &options);

    assert!(
        matches!(error, ReadError::TooManyEntries { limit: 5 }),
        "{error:?}"
    );
}

const DOCTYPE_MESSAGE: &str =
    "the workbook contains a DOCTYPE declaration, which Ferry does not accept";

/// Replaces the sheet part with `xml`.
fn sheet_with_xml(dir: &TempDir, xml: &str) -> PathBuf {
    let mut parts = hand_written_parts("", SERIAL_SHEET);
    for (name, bytes) in &mut parts {
        if name == "xl/worksheets/sheet1.xml" {
            *bytes = xml.as_bytes().to_vec();
        }
    }
    write_zip(dir, &parts)
}

#[test]
fn entity_expansion_doctype_is_rejected() {
    let dir = TempDir::new().unwrap();
    let xml = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">\
         <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\
         <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>\
         <worksheet xmlns=\"{MAIN_NS}\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\">\
         <is><t>&lol3;</t></is></c></row></sheetData></worksheet>"
    );
    let path = sheet_with_xml(&dir, &xml);

    assert_eq!(
        read_error(&path, &ReadOptions::default()).to_string(),
        DOCTYPE_MESSAGE
    );
}

#[test]
fn external_entity_doctype_is_rejected() {
    let dir = TempDir::new().unwrap();
    let xml = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY secret SYSTEM \
         \"file:///etc/passwd\">]><worksheet xmlns=\"{MAIN_NS}\"><sheetData><row r=\"1\">\
         <c r=\"A1\" t=\"inlineStr\"><is><t>&secret;</t></is></c></row></sheetData></worksheet>"
    );
    let path = sheet_with_xml(&dir, &xml);

    assert_eq!(
        read_error(&path, &ReadOptions::default()).to_string(),
        DOCTYPE_MESSAGE
    );
}

#[test]
fn utf16_doctype_split_across_chunks_is_found() {
    let text: Vec<u8> = "<?xml version=\"1.0\"?><!doctype x>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut budget = Budget::new(1024);
    let mut chunk = [0u8; 7];

    let error = scan_part(text.as_slice(), &mut budget, &mut chunk).unwrap_err();

    assert!(matches!(error, ReadError::Doctype), "{error:?}");
}

#[test]
fn truncated_file_is_reported_as_damaged() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write(0, 0, "Name").unwrap();
        sheet.write(1, 0, "Widget").unwrap();
    });
    let length = std::fs::metadata(&path).unwrap().len();
    File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(length / 2)
        .unwrap();

    let message = read_error(&path, &ReadOptions::default()).to_string();

    assert!(
        message.starts_with("the XLSX file is damaged or truncated: "),
        "{message}"
    );
}

#[test]
fn password_protected_workbook_is_reported_as_such() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("locked.xlsx");
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(4096, 0);
    std::fs::write(&path, bytes).unwrap();

    let error = read_error(&path, &ReadOptions::default());

    assert!(matches!(error, ReadError::Encrypted), "{error:?}");
}

fn limits(field_bytes: usize, shared_strings_bytes: u64) -> ReadOptions {
    ReadOptions {
        limits: ReadLimits {
            max_field_bytes: field_bytes,
            max_shared_strings_bytes: shared_strings_bytes,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    }
}

#[test]
fn long_cell_rejected_before_reading() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write_string(0, 0, "name").unwrap();
        sheet.write_string(1, 0, "x".repeat(30_000)).unwrap();
    });

    let error = read_error(&path, &limits(1_000, u64::MAX));

    assert!(
        matches!(error, ReadError::CellTooLong { limit: 16_384 }),
        "{error}"
    );
}

#[test]
fn large_shared_strings_rejected() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write_string(0, 0, "name").unwrap();
        for row in 1..200 {
            sheet
                .write_string(row, 0, format!("person number {row}"))
                .unwrap();
        }
    });

    let error = read_error(&path, &limits(1_000_000, 1_000));

    assert!(
        matches!(error, ReadError::TooManySharedStrings { limit: 1_000 }),
        "{error}"
    );
    assert!(error.to_string().contains("1,000 bytes"), "{error}");
}

#[test]
fn small_file_that_inflates_far_is_rejected() {
    let dir = TempDir::new().unwrap();
    let row = "<row><c t=\"inlineStr\"><is><t>aaaaaaaaaaaaaaaaaaaa</t></is></c></row>";
    let sheet_data = row.repeat(2_000_000);
    let path = hand_written(&dir, "", &sheet_data);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size < 1_000_000, "the test workbook is {size} bytes");

    let error = read_error(&path, &ReadOptions::default());

    assert!(
        matches!(error, ReadError::TooLargeDecompressed { limit } if limit == 100 * size),
        "{error}"
    );
}

#[test]
fn value_right_of_the_header_is_noted() {
    let dir = TempDir::new().unwrap();
    let path = one_sheet(&dir, |sheet| {
        sheet.write(0, 0, "Name").unwrap();
        sheet.write(0, 1, "City").unwrap();
        sheet.write(1, 0, "Ana").unwrap();
        sheet.write(2, 0, "Ben").unwrap();
        sheet.write(2, 3, "stray").unwrap();
    });

    let rows = records(&path);

    assert_eq!(rows[0].note, None);
    let note = rows[1].note.as_deref().unwrap();
    assert!(note.starts_with("row 3: column D has a value"), "{note}");
    assert!(note.contains("ends at column B"), "{note}");
}
