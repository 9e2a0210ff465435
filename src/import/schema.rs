//! The fields each dataset imports, their aliases, and the matching of a
//! file's headers to them.

use std::collections::BTreeMap;

use crate::datasets::Dataset;
use crate::formats::read::normalize_header;

/// One importable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub required: bool,
    /// Other headers that mean this field, compared after [`header_key`].
    pub aliases: &'static [&'static str],
}

const fn def(name: &'static str, required: bool, aliases: &'static [&'static str]) -> Field {
    Field {
        name,
        required,
        aliases,
    }
}

const CUSTOMERS: &[Field] = &[
    def(
        "email",
        true,
        &["e mail", "email address", "customer email"],
    ),
    def("name", true, &["full name", "customer name", "customer"]),
    def(
        "company",
        false,
        &["company name", "organisation", "organization"],
    ),
    def("phone", false, &["phone number", "telephone", "tel"]),
    def("country", false, &["country code"]),
    def("city", false, &["town"]),
    def(
        "postal_code",
        false,
        &["postcode", "post code", "zip", "zip code"],
    ),
    def("created_at", false, &["created"]),
    def("updated_at", false, &["updated"]),
];

const PRODUCTS: &[Field] = &[
    def("sku", true, &["product sku", "item sku", "product code"]),
    def("name", true, &["product name", "title"]),
    def("description", false, &[]),
    def("price", true, &["unit price"]),
    def("currency", true, &["currency code"]),
    def("active", false, &["enabled", "is active"]),
    def("created_at", false, &["created"]),
    def("updated_at", false, &["updated"]),
];

const ORDERS: &[Field] = &[
    def(
        "order_number",
        true,
        &["order", "order no", "order id", "number"],
    ),
    def("placed_at", true, &["order date", "placed", "date"]),
    def("status", true, &["order status"]),
    def(
        "customer_email",
        true,
        &["email", "e mail", "customer e mail"],
    ),
    def("customer_name", false, &["customer", "name"]),
    def("subtotal", true, &["sub total", "net"]),
    def("tax", true, &["vat", "sales tax"]),
    def("total", true, &["gross", "order total"]),
    def("currency", true, &["currency code"]),
];

const ORDER_ITEMS: &[Field] = &[
    def("order_number", true, &["order", "order no", "order id"]),
    def("line_number", true, &["line", "line no", "position"]),
    def("sku", true, &["product sku", "product code", "product_sku"]),
    def("description", false, &["item", "product name"]),
    def("quantity", true, &["qty", "count"]),
    def("unit_price", true, &["price"]),
    def("total", false, &["line total", "amount"]),
    def("currency", true, &["currency code"]),
    def("created_at", false, &["created"]),
];

/// Returns the fields of `dataset`, in the order of its export columns.
pub fn fields(dataset: Dataset) -> &'static [Field] {
    match dataset {
        Dataset::Customers => CUSTOMERS,
        Dataset::Products => PRODUCTS,
        Dataset::Orders => ORDERS,
        Dataset::OrderItems => ORDER_ITEMS,
    }
}

pub fn field(dataset: Dataset, name: &str) -> Option<&'static Field> {
    fields(dataset).iter().find(|field| field.name == name)
}

/// Returns the field names of `dataset`, for messages.
pub fn field_names(dataset: Dataset) -> String {
    let names: Vec<_> = fields(dataset).iter().map(|field| field.name).collect();
    names.join(", ")
}

/// The header of the failed-rows file's error column, which an import skips.
pub const ERROR_COLUMN: &str = "error";

/// Returns the form of a header that matching compares: normalized, with
/// underscores and hyphens read as spaces, so "Order_Number",
/// "order-number" and " ORDER NUMBER " are one key.
pub fn header_key(raw: &str) -> String {
    let spaced = normalize_header(raw).replace(['_', '-'], " ");
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The mapping from the columns of a file to the fields of a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// For each field of the dataset, in [`fields`] order, the index of the
    /// file column that contains it.
    pub columns: Vec<Option<usize>>,
    /// Headers that match no field, as the file spells them.
    pub unknown: Vec<String>,
}

/// A header problem that stops the import before any row is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error(
        "The file has no column for the required {} {}. Add {} to the header row, or map a column to {} with the mapping option. The file's columns are: {}.",
        plural(.missing.len(), "field", "fields"),
        .missing.join(", "),
        plural(.missing.len(), "it", "them"),
        plural(.missing.len(), "it", "each"),
        .found.join(", ")
    )]
    MissingRequired {
        missing: Vec<&'static str>,
        found: Vec<String>,
    },
    #[error(
        "The columns {first:?} and {second:?} both hold the field {field}. Remove or rename one of them, or map one to \"\" to skip it."
    )]
    Duplicate {
        field: &'static str,
        first: String,
        second: String,
    },
    #[error(
        "The mapping names the column {column:?}, but the file has no column with that name. Correct the mapping or the header row. The file's columns are: {}.",
        .found.join(", ")
    )]
    MappedColumnAbsent { column: String, found: Vec<String> },
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}

/// Matches `headers` to the fields of `dataset`. A `mapping` entry, keyed
/// by [`normalize_header`] of the header, wins over names and aliases; an
/// empty field name in it skips the column.
pub fn match_headers(
    dataset: Dataset,
    headers: &[String],
    mapping: &BTreeMap<String, String>,
) -> Result<ColumnMap, HeaderError> {
    check_mapping_columns(headers, mapping)?;

    let fields = fields(dataset);
    let mut columns: Vec<Option<usize>> = vec![None; fields.len()];
    let mut unknown = Vec::new();

    for (index, header) in headers.iter().enumerate() {
        let Some(target) = target_field(fields, header, mapping) else {
            if !header.trim().is_empty() && header_key(header) != ERROR_COLUMN {
                unknown.push(header.clone());
            }
            continue;
        };
        let Some(position) = target else {
            continue;
        };
        if let Some(earlier) = columns[position] {
            return Err(HeaderError::Duplicate {
                field: fields[position].name,
                first: headers[earlier].clone(),
                second: header.clone(),
            });
        }
        columns[position] = Some(index);
    }

    let missing: Vec<_> = fields
        .iter()
        .zip(&columns)
        .filter(|(field, column)| field.required && column.is_none())
        .map(|(field, _)| field.name)
        .collect();
    if !missing.is_empty() {
        return Err(HeaderError::MissingRequired {
            missing,
            found: headers.iter().map(|header| shown_header(header)).collect(),
        });
    }
    Ok(ColumnMap { columns, unknown })
}

/// Checks that each column the mapping names is in the file, so that a
/// misspelt name is not ignored in silence.
fn check_mapping_columns(
    headers: &[String],
    mapping: &BTreeMap<String, String>,
) -> Result<(), HeaderError> {
    let present: std::collections::HashSet<String> = headers
        .iter()
        .map(|header| normalize_header(header))
        .collect();

    match mapping.keys().find(|column| !present.contains(*column)) {
        Some(column) => Err(HeaderError::MappedColumnAbsent {
            column: column.clone(),
            found: headers.iter().map(|header| shown_header(header)).collect(),
        }),
        None => Ok(()),
    }
}

/// Maximum length of a header quoted in a message, in characters. A binary
/// file read as text can have a "header" of thousands of bytes.
const SHOWN_HEADER_CHARS: usize = 40;

/// Returns a header as a message shows it: control characters escaped, so
/// that a binary file's bytes stay visible, and cut after
/// [`SHOWN_HEADER_CHARS`] characters.
fn shown_header(header: &str) -> String {
    let escaped: String = header.chars().flat_map(char::escape_default).collect();
    let escaped = if header.chars().any(char::is_control) {
        escaped
    } else {
        header.to_string()
    };
    if escaped.chars().count() <= SHOWN_HEADER_CHARS {
        return escaped;
    }
    let head: String = escaped.chars().take(SHOWN_HEADER_CHARS).collect();
    format!("{head}…")
}

/// Returns `None` for a column no field claims, `Some(None)` for one the
/// mapping skips, and `Some(Some(i))` for the field at `i`.
fn target_field(
    fields: &[Field],
    header: &str,
    mapping: &BTreeMap<String, String>,
) -> Option<Option<usize>> {
    if let Some(name) = mapping.get(&normalize_header(header)) {
        if name.is_empty() {
            return Some(None);
        }
        return fields.iter().position(|f| f.name == name).map(Some);
    }

    let key = header_key(header);
    let by_name = fields.iter().position(|f| header_key(f.name) == key);
    let by_alias = || {
        fields
            .iter()
            .position(|f| f.aliases.iter().any(|alias| header_key(alias) == key))
    };
    by_name.or_else(by_alias).map(Some)
}

impl ColumnMap {
    /// Returns the index of the file column that contains `field`.
    pub fn column(&self, dataset: Dataset, name: &str) -> Option<usize> {
        let position = fields(dataset).iter().position(|f| f.name == name)?;
        self.columns[position]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn headers_match_names_and_aliases() {
        let map = match_headers(
            Dataset::Customers,
            &headers(&["E-Mail", " Full Name ", "ZIP Code", "Notes", "error"]),
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(map.column(Dataset::Customers, "email"), Some(0));
        assert_eq!(map.column(Dataset::Customers, "name"), Some(1));
        assert_eq!(map.column(Dataset::Customers, "postal_code"), Some(2));
        assert_eq!(map.unknown, vec!["Notes".to_string()]);
    }

    #[test]
    fn missing_required_columns_named() {
        let error = match_headers(
            Dataset::Orders,
            &headers(&["order_number", "status", "currency", "total"]),
            &BTreeMap::new(),
        )
        .unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("required fields placed_at, customer_email, subtotal, tax"),
            "{text}"
        );
        assert!(
            text.contains("order_number, status, currency, total"),
            "{text}"
        );
    }

    #[test]
    fn binary_headers_are_escaped_and_cut() {
        let binary = format!("PK\u{3}\u{4}{}", "x".repeat(100));
        let error =
            match_headers(Dataset::Customers, &headers(&[&binary]), &BTreeMap::new()).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("PK\\u{3}\\u{4}xx"), "{text}");
        assert!(text.contains('…'), "{text}");
        assert!(!text.contains('\u{3}'), "{text}");
    }

    #[test]
    fn mapping_of_absent_column_rejected() {
        let mut mapping = BTreeMap::new();
        mapping.insert(normalize_header("Kunde"), "name".to_string());

        let error =
            match_headers(Dataset::Customers, &headers(&["email", "name"]), &mapping).unwrap_err();

        assert!(
            matches!(&error, HeaderError::MappedColumnAbsent { column, .. } if column == "kunde"),
            "{error}"
        );
        assert!(error.to_string().contains("email, name"), "{error}");
    }

    #[test]
    fn mapping_overrides_and_skips() {
        let mut mapping = BTreeMap::new();
        mapping.insert(normalize_header("Kunde"), "name".to_string());
        mapping.insert(normalize_header("Name"), String::new());
        let map = match_headers(Dataset::Customers, &headers(&["Mail", "Kunde", "Name"]), &{
            let mut m = mapping.clone();
            m.insert(normalize_header("Mail"), "email".to_string());
            m
        })
        .unwrap();
        assert_eq!(map.column(Dataset::Customers, "email"), Some(0));
        assert_eq!(map.column(Dataset::Customers, "name"), Some(1));
        assert!(map.unknown.is_empty());
    }

    #[test]
    fn duplicate_field_columns_rejected() {
        let error = match_headers(
            Dataset::Customers,
            &headers(&["email", "name", "Email Address"]),
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(matches!(
            error,
            HeaderError::Duplicate { field: "email", .. }
        ));
    }
}
