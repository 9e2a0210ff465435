//! Imports: typed field parsers for the rows of an uploaded file.

pub mod fields;
