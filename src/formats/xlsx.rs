//! XLSX writer in rust_xlsxwriter's constant-memory mode.
//!
//! Constant-memory worksheets flush each row to a temporary file as soon as
//! the next row starts, so memory use does not grow with the row count. The
//! cost is that rows must be written in order and a finished row can no
//! longer change, which suits a streaming export.

use chrono::Timelike;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rust_xlsxwriter::{ColNum, Format as CellFormat, RowNum, Workbook, Worksheet, XlsxError};

use super::cell::{decimal_scale, validate_row};
use super::{Cell, Column, FormatError, RecordWriter, Row, WriterOptions};

/// Data rows that fit on one worksheet: Excel's limit of 1,048,576 rows
/// minus the header row.
pub(super) const MAX_DATA_ROWS_PER_SHEET: usize = 1_048_575;

/// Name of the first worksheet. Later ones are named "Data 2", "Data 3"...
const SHEET_BASE_NAME: &str = "Data";

const TIMESTAMP_NUMBER_FORMAT: &str = "yyyy-mm-dd hh:mm:ss";
const DATE_NUMBER_FORMAT: &str = "yyyy-mm-dd";

pub(super) struct XlsxWriter {
    workbook: Workbook,
    file: File,
    path: PathBuf,
    columns: &'static [Column],
    rows_per_sheet: usize,
    sheet_count: usize,
    rows_in_sheet: usize,
    formats: CellFormats,
}

/// Cell formats, created once and shared by all cells of a kind.
struct CellFormats {
    header: CellFormat,
    timestamp: CellFormat,
    date: CellFormat,
    /// Decimal formats indexed by the number of fraction digits.
    decimals: Vec<CellFormat>,
}

impl XlsxWriter {
    /// Creates the file at `path` right away, so that a bad path fails here
    /// rather than at [`RecordWriter::finish`], which writes the workbook.
    pub(super) fn create(
        columns: &'static [Column],
        path: &Path,
        options: &WriterOptions,
    ) -> Result<Self, FormatError> {
        let rows_per_sheet = options.xlsx_rows_per_sheet;

        if !(1..=MAX_DATA_ROWS_PER_SHEET).contains(&rows_per_sheet) {
            return Err(FormatError::InvalidRowsPerSheet(rows_per_sheet));
        }

        let file = File::create(path).map_err(|source| FormatError::Io {
            path: path.to_owned(),
            source,
        })?;

        let mut writer = XlsxWriter {
            workbook: Workbook::new(),
            file,
            path: path.to_owned(),
            columns,
            rows_per_sheet,
            sheet_count: 0,
            rows_in_sheet: 0,
            formats: CellFormats::new(),
        };

        writer.start().map_err(|source| writer.xlsx_error(source))?;

        Ok(writer)
    }

    fn start(&mut self) -> Result<(), XlsxError> {
        // The temporary files hold all worksheet data until finish. Keeping
        // them next to the export keeps them off a tmpfs /tmp, where they
        // would take memory again.
        if let Some(directory) = self.path.parent()
            && !directory.as_os_str().is_empty()
        {
            self.workbook.set_tempdir(directory)?;
        }

        self.start_sheet()
    }

    /// Adds a worksheet with the bold, frozen header row.
    fn start_sheet(&mut self) -> Result<(), XlsxError> {
        let name = sheet_name(self.sheet_count + 1);
        let sheet = self.workbook.add_worksheet_with_constant_memory()?;

        sheet.set_name(name)?;
        sheet.set_freeze_panes(1, 0)?;

        for (index, column) in self.columns.iter().enumerate() {
            let col = column_number(index)?;

            sheet.write_string_with_format(0, col, column.name, &self.formats.header)?;
        }

        self.sheet_count += 1;
        self.rows_in_sheet = 0;

        Ok(())
    }

    /// Sets the autofilter over the header and all data rows of the current
    /// worksheet, which is only known once its last row is written.
    fn close_sheet(&mut self) -> Result<(), XlsxError> {
        let Some(last_index) = self.columns.len().checked_sub(1) else {
            return Ok(());
        };

        let last_row = row_number(self.rows_in_sheet)?;
        let last_col = column_number(last_index)?;
        let sheet = self.current_sheet()?;

        sheet.autofilter(0, 0, last_row, last_col)?;

        Ok(())
    }

    fn write_cells(&mut self, cells: &[Cell]) -> Result<(), XlsxError> {
        if self.rows_in_sheet == self.rows_per_sheet {
            self.close_sheet()?;
            self.start_sheet()?;
        }

        let row = row_number(self.rows_in_sheet + 1)?;
        let sheet_index = self.sheet_count - 1;
        let sheet = self.workbook.worksheet_from_index(sheet_index)?;

        for (index, cell) in cells.iter().enumerate() {
            let col = column_number(index)?;

            write_cell(sheet, row, col, cell, &mut self.formats)?;
        }

        self.rows_in_sheet += 1;

        Ok(())
    }

    fn save(&mut self) -> Result<(), XlsxError> {
        self.close_sheet()?;

        let mut out = BufWriter::new(&mut self.file);

        self.workbook.save_to_writer(&mut out)?;
        out.flush()?;

        Ok(())
    }

    fn current_sheet(&mut self) -> Result<&mut Worksheet, XlsxError> {
        self.workbook.worksheet_from_index(self.sheet_count - 1)
    }

    fn xlsx_error(&self, source: XlsxError) -> FormatError {
        FormatError::Xlsx {
            path: self.path.clone(),
            source,
        }
    }
}

impl RecordWriter for XlsxWriter {
    fn write_row(&mut self, row: &Row) -> Result<(), FormatError> {
        validate_row(self.columns, row)?;

        self.write_cells(&row.cells)
            .map_err(|source| self.xlsx_error(source))
    }

    fn finish(mut self: Box<Self>) -> Result<(), FormatError> {
        self.save().map_err(|source| self.xlsx_error(source))?;

        self.file.sync_all().map_err(|source| FormatError::Io {
            path: self.path.clone(),
            source,
        })
    }
}

impl CellFormats {
    fn new() -> Self {
        CellFormats {
            header: CellFormat::new().set_bold(),
            timestamp: CellFormat::new().set_num_format(TIMESTAMP_NUMBER_FORMAT),
            date: CellFormat::new().set_num_format(DATE_NUMBER_FORMAT),
            decimals: Vec::new(),
        }
    }

    /// Returns the format `0`, `0.0`, `0.00`... with `scale` fraction digits.
    fn decimal(&mut self, scale: usize) -> &CellFormat {
        while self.decimals.len() <= scale {
            let digits = self.decimals.len();
            let number_format = match digits {
                0 => "0".to_owned(),
                _ => format!("0.{}", "0".repeat(digits)),
            };

            self.decimals
                .push(CellFormat::new().set_num_format(number_format));
        }

        &self.decimals[scale]
    }
}

/// Writes one typed cell. Null leaves the cell blank.
fn write_cell(
    sheet: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    cell: &Cell,
    formats: &mut CellFormats,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Null => {}

        // A string cell keeps text such as `=1+1` or `02134` as it is.
        Cell::Text(text) | Cell::Identifier(text) => {
            sheet.write_string(row, col, text)?;
        }

        // NOTE: Excel stores numbers as f64, so integers beyond 2^53 in
        // magnitude are rounded. Values that must keep every digit belong
        // in Cell::Identifier.
        Cell::Integer(value) => {
            sheet.write_number(row, col, *value as f64)?;
        }

        // NOTE: the f64 keeps about 15 significant digits, so a decimal with
        // more digits is rounded in the cell although the number format
        // shows every fraction digit of the original string.
        Cell::Decimal(value) => {
            let number = parse_decimal(value)?;
            let format = formats.decimal(decimal_scale(value));

            sheet.write_number_with_format(row, col, number, format)?;
        }

        // Excel date-times have no time zone, so the cell shows UTC. Whole
        // seconds, as in the other formats.
        Cell::Timestamp(timestamp) => {
            let seconds = timestamp.with_nanosecond(0).unwrap_or(*timestamp);
            sheet.write_datetime_with_format(row, col, seconds, &formats.timestamp)?;
        }

        Cell::Date(date) => {
            sheet.write_datetime_with_format(row, col, date, &formats.date)?;
        }

        Cell::Bool(value) => {
            sheet.write_boolean(row, col, *value)?;
        }
    }

    Ok(())
}

/// Parses a decimal that `validate_row` has already accepted.
fn parse_decimal(value: &str) -> Result<f64, XlsxError> {
    value
        .parse()
        .map_err(|_| XlsxError::ParameterError(format!("invalid decimal {value:?}")))
}

fn sheet_name(number: usize) -> String {
    match number {
        1 => SHEET_BASE_NAME.to_owned(),
        _ => format!("{SHEET_BASE_NAME} {number}"),
    }
}

fn row_number(index: usize) -> Result<RowNum, XlsxError> {
    RowNum::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}

fn column_number(index: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}
