//! Notes for records that lie in a merged range.
//!
//! A merged range keeps its value in its top-left cell only. Every other
//! cell of the range is empty in the file, although Excel shows the value
//! across the whole range, so without a note such a record would import
//! with blank fields and no hint why.

use calamine::Dimensions;

use super::values::{cell_name, column_name};

/// The merged ranges of one sheet, consulted row by row.
pub(super) struct MergedRanges {
    /// Ranges not yet reached, sorted by first row.
    pending: Vec<Dimensions>,
    next: usize,
    /// Ranges whose first row has been reached and whose last row has not
    /// been passed.
    active: Vec<Dimensions>,
    last_row: Option<u32>,
}

impl MergedRanges {
    pub(super) fn new(mut ranges: Vec<Dimensions>) -> Self {
        ranges.retain(|range| range.start != range.end);
        ranges.sort_by_key(|range| range.start.0);

        MergedRanges {
            pending: ranges,
            next: 0,
            active: Vec::new(),
            last_row: None,
        }
    }

    /// Returns the note for the record at zero-based `row`, naming every
    /// range that covers one of its first `width` columns without holding
    /// its value there. Rows normally arrive in ascending order, and a row
    /// that goes back restarts the scan.
    pub(super) fn note(&mut self, row: u32, width: usize) -> Option<String> {
        self.advance_to(row);

        let parts: Vec<String> = self
            .active
            .iter()
            .filter_map(|range| describe(range, row, width))
            .collect();

        if parts.is_empty() {
            return None;
        }
        Some(format!("row {}: {}", u64::from(row) + 1, parts.join("; ")))
    }

    fn advance_to(&mut self, row: u32) {
        if self.last_row.is_some_and(|last| row < last) {
            self.next = 0;
            self.active.clear();
        }
        self.last_row = Some(row);

        while let Some(range) = self.pending.get(self.next) {
            if range.start.0 > row {
                break;
            }
            self.active.push(*range);
            self.next += 1;
        }

        self.active.retain(|range| range.end.0 >= row);
    }
}

/// Describes how `range` leaves cells of `row` empty, or returns `None`
/// when it covers none of the first `width` columns there, apart from its
/// top-left cell.
fn describe(range: &Dimensions, row: u32, width: usize) -> Option<String> {
    if row < range.start.0 || row > range.end.0 {
        return None;
    }

    let first = if row == range.start.0 {
        range.start.1 + 1
    } else {
        range.start.1
    };
    let last = range.end.1.min(last_column(width)?);
    if first > last {
        return None;
    }

    let columns = if first == last {
        format!("column {} is", column_name(first))
    } else {
        format!(
            "columns {} to {} are",
            column_name(first),
            column_name(last)
        )
    };
    let fill = if range.end.0 > range.start.0 {
        "row"
    } else {
        "column"
    };

    Some(format!(
        "{columns} part of the merged range {}:{}, whose value is only in {}; \
         unmerge the cells and fill in every {fill}",
        cell_name(range.start.0, range.start.1),
        cell_name(range.end.0, range.end.1),
        cell_name(range.start.0, range.start.1),
    ))
}

fn last_column(width: usize) -> Option<u32> {
    let width = u32::try_from(width).unwrap_or(u32::MAX);
    width.checked_sub(1)
}
