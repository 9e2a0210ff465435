//! CSV delimiter detection from the header and the first records.

/// Candidates in order of preference when several fit equally well.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// Number of records, header included, that detection looks at.
const SAMPLE_RECORDS: usize = 20;

/// Returns the candidate that splits the header into the most consistent
/// field counts across the sampled records, or a comma when no candidate
/// splits the header into more than one field. Delimiters inside quoted
/// fields do not count, because the sample is parsed as CSV.
pub(super) fn detect(sample: &str) -> u8 {
    let mut best: Option<(u8, isize)> = None;

    for candidate in CANDIDATES {
        let Some(score) = consistency(sample, candidate) else {
            continue;
        };

        if best.is_none_or(|(_, best_score)| score > best_score) {
            best = Some((candidate, score));
        }
    }

    best.map_or(b',', |(delimiter, _)| delimiter)
}

/// Returns the number of sampled records whose field count equals the
/// header's, minus the number whose count differs, or `None` when the
/// header has fewer than two fields with this delimiter.
fn consistency(sample: &str, delimiter: u8) -> Option<isize> {
    let counts = field_counts(sample, delimiter);
    let (header_count, record_counts) = counts.split_first()?;

    if *header_count < 2 {
        return None;
    }

    let score = record_counts
        .iter()
        .map(|count| if count == header_count { 1 } else { -1 })
        .sum::<isize>();

    Some(score)
}

fn field_counts(sample: &str, delimiter: u8) -> Vec<usize> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(sample.as_bytes());

    reader
        .records()
        .map_while(Result::ok)
        .filter(|record| record.iter().any(|field| !field.trim().is_empty()))
        .take(SAMPLE_RECORDS)
        .map(|record| record.len())
        .collect()
}
