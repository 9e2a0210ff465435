//! Readers and writers for CSV, JSON, NDJSON and XLSX.
