//! Streaming reader of one XLSX worksheet.
//!
//! [`open`] first checks the zip archive (see the `guard` module). calamine
//! then parses the workbook part, the shared strings and the styles, and
//! streams the chosen sheet's cells with its cell reader, so memory does not
//! grow with the number of rows. The sheet part is inflated three times: by
//! the check, by the search for merged ranges and by the cell reader.
//!
//! calamine's cell reader borrows the workbook, and a [`RecordReader`] must
//! own its state, so the sheet is read on a thread of its own that owns the
//! workbook and sends records through a bounded channel. Dropping the reader
//! closes the channel, and the thread ends at its next send.
//!
//! Records carry the sheet's row numbers, 1-based: the header is the first
//! row with a non-blank cell, blank rows are skipped, and values are
//! aligned to the header's columns starting at column A.

mod guard;
mod merged;
mod values;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{Cell, DataRef, Reader, SheetType, Xlsx, XlsxCellReader, XlsxError};

use super::{
    RawValue, ReadError, ReadLimits, ReadOptions, RecordReader, RowProblem, SourceRecord, row_note,
};
use merged::MergedRanges;
use values::{column_name, header_name, is_blank, raw_value};

type Workbook = Xlsx<BufReader<File>>;

/// Records the sheet thread may read ahead of the consumer.
const CHANNEL_RECORDS: usize = 64;

/// Opens the sheet named by `options.sheet`, or the first worksheet, and
/// reads its header row. `options.delimiter` and `options.encoding` do not
/// apply to XLSX and are ignored.
pub fn open(path: &Path, options: &ReadOptions) -> Result<Box<dyn RecordReader>, ReadError> {
    let file = File::open(path).map_err(|source| ReadError::Io {
        path: path.to_owned(),
        source,
    })?;
    let file = guard::check_archive(file, &options.limits)?;

    // NOTE: calamine keeps every shared string in memory, so a workbook can
    // take about the inflated size of its shared-strings part, up to the
    // decompressed-size limit.
    let mut workbook: Workbook = Xlsx::new(BufReader::new(file)).map_err(workbook_error)?;
    let sheet = select_sheet(&workbook, options.sheet.as_deref())?;
    let merged = workbook
        .merge_cells_by_sheet_name(&sheet)
        .map_err(workbook_error)?;

    let job = SheetJob {
        workbook,
        sheet,
        merged: MergedRanges::new(merged),
        limits: options.limits,
    };
    start(job, path)
}

fn workbook_error(error: XlsxError) -> ReadError {
    match error {
        XlsxError::Password => ReadError::Encrypted,
        other => ReadError::Xlsx(other.to_string()),
    }
}

fn select_sheet(workbook: &Workbook, requested: Option<&str>) -> Result<String, ReadError> {
    let sheets = workbook.sheets_metadata();

    let found = match requested {
        Some(name) => sheets.iter().find(|sheet| sheet.name == name),
        None => sheets
            .iter()
            .find(|sheet| sheet.typ == SheetType::WorkSheet),
    };

    match (found, requested) {
        (Some(sheet), _) => Ok(sheet.name.clone()),
        (None, Some(name)) => Err(ReadError::SheetNotFound {
            name: name.to_owned(),
            available: sheets.iter().map(|sheet| sheet.name.clone()).collect(),
        }),
        (None, None) => Err(ReadError::Empty),
    }
}

/// Everything the sheet thread needs.
struct SheetJob {
    workbook: Workbook,
    sheet: String,
    merged: MergedRanges,
    limits: ReadLimits,
}

/// Message from the sheet thread after the header.
enum Event {
    Record(SourceRecord),
    Failed(ReadError),
    End,
}

/// Starts the sheet thread and waits for the header row.
fn start(job: SheetJob, path: &Path) -> Result<Box<dyn RecordReader>, ReadError> {
    let (header_sender, header_receiver) = sync_channel(1);
    let (record_sender, records) = sync_channel(CHANNEL_RECORDS);

    std::thread::Builder::new()
        .name("xlsx-reader".to_owned())
        .spawn(move || read_sheet(job, header_sender, record_sender))
        .map_err(|source| ReadError::Io {
            path: path.to_owned(),
            source,
        })?;

    let headers = header_receiver.recv().map_err(|_| stopped())??;

    Ok(Box::new(XlsxReader {
        headers,
        records,
        finished: false,
    }))
}

fn stopped() -> ReadError {
    ReadError::Xlsx("the sheet reader stopped before the end of the sheet".to_owned())
}

struct XlsxReader {
    headers: Vec<String>,
    records: Receiver<Event>,
    finished: bool,
}

impl RecordReader for XlsxReader {
    fn headers(&self) -> &[String] {
        &self.headers
    }

    fn next_record(&mut self) -> Option<Result<SourceRecord, ReadError>> {
        if self.finished {
            return None;
        }

        let event = self.records.recv().unwrap_or(Event::Failed(stopped()));
        match event {
            Event::Record(record) => Some(Ok(record)),
            Event::Failed(error) => {
                self.finished = true;
                Some(Err(error))
            }
            Event::End => {
                self.finished = true;
                None
            }
        }
    }
}

/// Body of the sheet thread: sends the header, then every record.
fn read_sheet(
    mut job: SheetJob,
    headers: SyncSender<Result<Vec<String>, ReadError>>,
    records: SyncSender<Event>,
) {
    let is_1904 = job.workbook.has_1904_epoch();
    let cells = match job.workbook.worksheet_cells_reader(&job.sheet) {
        Ok(cells) => cells,
        Err(error) => {
            let _ = headers.send(Err(workbook_error(error)));
            return;
        }
    };

    let mut rows = RowCursor::new(cells, is_1904, job.limits.max_field_bytes);
    let header = read_header(&mut rows, job.limits.max_columns);
    let width = match header {
        Ok(ref names) => names.len(),
        Err(_) => 0,
    };

    if headers.send(header).is_err() || width == 0 {
        return;
    }
    send_records(&mut rows, width, &mut job.merged, &records);
}

fn read_header<RS>(
    rows: &mut RowCursor<'_, RS>,
    max_columns: usize,
) -> Result<Vec<String>, ReadError>
where
    RS: std::io::Read + std::io::Seek,
{
    let row = rows.next_row(max_columns)?.ok_or(ReadError::Empty)?;

    if row.field_count > max_columns {
        return Err(ReadError::TooManyColumns {
            row: u64::from(row.index) + 1,
            found: row.field_count,
            limit: max_columns,
        });
    }
    Ok(row.values[..row.field_count]
        .iter()
        .map(header_name)
        .collect())
}

fn send_records<RS>(
    rows: &mut RowCursor<'_, RS>,
    width: usize,
    merged: &mut MergedRanges,
    records: &SyncSender<Event>,
) where
    RS: std::io::Read + std::io::Seek,
{
    loop {
        let event = match rows.next_row(width) {
            Ok(Some(row)) => Event::Record(row.into_record(width, merged)),
            Ok(None) => Event::End,
            Err(error) => Event::Failed(error),
        };

        let last = !matches!(event, Event::Record(_));
        if records.send(event).is_err() || last {
            return;
        }
    }
}

/// One non-blank row of the sheet.
struct SheetRow {
    /// Zero-based row index.
    index: u32,
    /// Values of the columns kept, from column A. The list is shorter than
    /// the width when the row ends early.
    values: Vec<RawValue>,
    /// One past the last non-blank column, counting columns not kept.
    field_count: usize,
}

impl SheetRow {
    fn into_record(mut self, width: usize, merged: &mut MergedRanges) -> SourceRecord {
        self.values.resize(width, RawValue::Empty);
        let row = u64::from(self.index) + 1;

        let merged_note = merged.note(self.index, width);
        let note = match (merged_note, self.past_header(width)) {
            (Some(merged), Some(past)) => Some(format!("{merged}; {past}")),
            (Some(merged), None) => Some(merged),
            (None, Some(past)) => row_note(row, &[past]),
            (None, None) => None,
        };

        SourceRecord {
            row,
            note,
            values: self.values,
            field_count: self.field_count,
            raw: None,
        }
    }

    /// Reports a value in a column right of the header's last one, which
    /// no field could receive, so that it is not dropped in silence.
    fn past_header(&self, width: usize) -> Option<RowProblem> {
        let last = u32::try_from(self.field_count.checked_sub(1)?).ok()?;
        let header_last = u32::try_from(width.checked_sub(1)?).ok()?;

        (last > header_last).then(|| RowProblem::PastHeader {
            column: column_name(last),
            header_last: column_name(header_last),
        })
    }
}

/// Groups the cells of calamine's reader, which arrive in file order, into
/// rows.
struct RowCursor<'a, RS>
where
    RS: std::io::Read + std::io::Seek,
{
    cells: XlsxCellReader<'a, RS>,
    /// First cell of the next row, read while looking for the end of the
    /// current one.
    pending: Option<Cell<DataRef<'a>>>,
    /// Flag set once calamine has reported the end of the sheet data, because
    /// reading on would run into the rest of the worksheet part.
    exhausted: bool,
    is_1904: bool,
    max_field_bytes: usize,
}

impl<'a, RS> RowCursor<'a, RS>
where
    RS: std::io::Read + std::io::Seek,
{
    fn new(cells: XlsxCellReader<'a, RS>, is_1904: bool, max_field_bytes: usize) -> Self {
        RowCursor {
            cells,
            pending: None,
            exhausted: false,
            is_1904,
            max_field_bytes,
        }
    }

    /// Returns the next row with a non-blank cell, keeping the values of its
    /// first `width` columns.
    fn next_row(&mut self, width: usize) -> Result<Option<SheetRow>, ReadError> {
        loop {
            let Some(first) = self.next_cell()? else {
                return Ok(None);
            };

            let row = self.collect_row(first, width)?;
            if row.field_count > 0 {
                return Ok(Some(row));
            }
        }
    }

    fn collect_row(
        &mut self,
        first: Cell<DataRef<'a>>,
        width: usize,
    ) -> Result<SheetRow, ReadError> {
        let index = first.get_position().0;
        let mut row = SheetRow {
            index,
            values: Vec::new(),
            field_count: 0,
        };
        self.add_cell(&mut row, first, width)?;

        while let Some(cell) = self.next_cell()? {
            if cell.get_position().0 != index {
                self.pending = Some(cell);
                break;
            }
            self.add_cell(&mut row, cell, width)?;
        }
        Ok(row)
    }

    fn next_cell(&mut self) -> Result<Option<Cell<DataRef<'a>>>, ReadError> {
        if let Some(cell) = self.pending.take() {
            return Ok(Some(cell));
        }
        if self.exhausted {
            return Ok(None);
        }

        let cell = self.cells.next_cell().map_err(workbook_error)?;
        self.exhausted = cell.is_none();
        Ok(cell)
    }

    /// Stores the value of `cell` in `row` if its column is kept, and counts
    /// it in the field count unless it is blank. Whitespace-only text is
    /// kept as it is but does not count.
    fn add_cell(
        &self,
        row: &mut SheetRow,
        cell: Cell<DataRef<'a>>,
        width: usize,
    ) -> Result<(), ReadError> {
        let (_, column) = cell.get_position();
        let data = cell.get_value();
        let position = column as usize;

        if !is_blank(data) {
            row.field_count = row.field_count.max(position + 1);
        }
        if position >= width || *data == DataRef::Empty {
            return Ok(());
        }

        self.check_size(data, row.index, column)?;
        if row.values.len() <= position {
            row.values.resize(position + 1, RawValue::Empty);
        }
        row.values[position] = raw_value(data.clone(), self.is_1904);
        Ok(())
    }

    fn check_size(&self, data: &DataRef<'_>, row: u32, column: u32) -> Result<(), ReadError> {
        let bytes = match data {
            DataRef::String(text) => text.len(),
            DataRef::SharedString(text) => text.len(),
            _ => 0,
        };

        if bytes > self.max_field_bytes {
            return Err(ReadError::FieldTooLarge {
                row: u64::from(row) + 1,
                column: column_name(column),
                limit: self.max_field_bytes,
            });
        }
        Ok(())
    }
}
