//! Validation of one source record into a typed row of its dataset, keeping
//! every error of every field.

use chrono::NaiveDateTime;

use super::fields::{
    self, DecimalSeparator, FieldResult, display_raw, optional, parse_amount, parse_bool,
    parse_country, parse_currency, parse_email, parse_integer, parse_one_of, parse_required,
    parse_text, parse_timestamp, to_minor_units,
};
use super::schema::ColumnMap;
use crate::datasets::{Dataset, ORDER_STATUSES};
use crate::formats::read::RawValue;
use crate::money::{format_minor, minor_unit_digits};

/// One error of one row, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The field name, or `"row"` for a problem of the whole record.
    pub field: String,
    pub value: String,
    pub message: String,
}

impl RowError {
    /// Creates an error. A NUL character in the value or message is written
    /// as `\0`, because PostgreSQL's text columns cannot store it.
    pub fn new(field: &str, value: impl Into<String>, message: impl Into<String>) -> Self {
        RowError {
            field: field.to_string(),
            value: without_nul(value.into()),
            message: without_nul(message.into()),
        }
    }
}

/// Maximum length of an error's value or message, in characters. The
/// failed-rows file keeps a row's original values whole. Without the cut, a
/// message about a workbook's merged ranges can run to megabytes per row.
const MAX_ERROR_CHARS: usize = 1_000;

/// Writes each NUL character of `text` as the two characters `\0`, and
/// cuts it after [`MAX_ERROR_CHARS`] characters.
pub fn without_nul(text: String) -> String {
    let text = if text.contains('\0') {
        text.replace('\0', "\\0")
    } else {
        text
    };
    match text.char_indices().nth(MAX_ERROR_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// Field name of errors that belong to the whole record.
pub const ROW_FIELD: &str = "row";

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRecord {
    pub email: String,
    pub name: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub created_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProductRecord {
    pub sku: String,
    pub name: String,
    pub description: Option<String>,
    pub price_minor: i64,
    pub currency: String,
    pub active: bool,
    pub created_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderRecord {
    pub order_number: String,
    pub placed_at: NaiveDateTime,
    pub status: String,
    pub customer_email: String,
    pub customer_name: Option<String>,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemRecord {
    pub order_number: String,
    pub line_number: i32,
    pub sku: String,
    pub description: String,
    pub quantity: i32,
    pub unit_price_minor: i64,
    pub total_minor: i64,
    pub currency: String,
    pub created_at: Option<NaiveDateTime>,
}

/// A valid row of any dataset.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Customer(CustomerRecord),
    Product(ProductRecord),
    Order(OrderRecord),
    Item(ItemRecord),
}

impl Record {
    /// Returns the natural key that imports upsert on.
    pub fn key(&self) -> String {
        match self {
            Record::Customer(customer) => customer.email.clone(),
            Record::Product(product) => product.sku.clone(),
            Record::Order(order) => order.order_number.clone(),
            Record::Item(item) => format!("{}\u{0}{}", item.order_number, item.line_number),
        }
    }
}

/// Describes a key for the message about a repeated one.
pub fn key_description(dataset: Dataset) -> (&'static str, &'static str) {
    match dataset {
        Dataset::Customers => ("email", "email"),
        Dataset::Products => ("sku", "SKU"),
        Dataset::Orders => ("order_number", "order number"),
        Dataset::OrderItems => ("line_number", "order number and line number"),
    }
}

/// Longest accepted text of each kind of field, in characters.
const NAME_CHARS: usize = 200;
const SHORT_CHARS: usize = 100;
const CODE_CHARS: usize = 64;
const DESCRIPTION_CHARS: usize = 2_000;

/// The cells of one record, read through the column map.
pub struct RowReader<'a> {
    dataset: Dataset,
    map: &'a ColumnMap,
    values: &'a [RawValue],
    separator: Option<DecimalSeparator>,
    pub errors: Vec<RowError>,
}

static EMPTY: RawValue = RawValue::Empty;

impl<'a> RowReader<'a> {
    pub fn new(
        dataset: Dataset,
        map: &'a ColumnMap,
        values: &'a [RawValue],
        separator: Option<DecimalSeparator>,
    ) -> Self {
        RowReader {
            dataset,
            map,
            values,
            separator,
            errors: Vec::new(),
        }
    }

    fn raw(&self, name: &str) -> &'a RawValue {
        self.map
            .column(self.dataset, name)
            .and_then(|index| self.values.get(index))
            .unwrap_or(&EMPTY)
    }

    /// Runs `parse` on the field's cell, and records its error.
    fn take<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&RawValue) -> FieldResult<T>,
    ) -> Option<T> {
        let raw = self.raw(name);
        if let RawValue::Text(text) = raw
            && text.contains('\0')
        {
            let message = "contains a NUL character (byte 0), which no field accepts; remove it";
            self.errors.push(RowError::new(name, text.clone(), message));
            return None;
        }
        match parse(raw) {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors
                    .push(RowError::new(name, display_raw(raw), error.message));
                None
            }
        }
    }

    fn text(&mut self, name: &str, max_chars: usize) -> Option<Option<String>> {
        self.take(name, |raw| {
            parse_text(raw, max_chars).map(|text| text.map(unguard))
        })
    }

    fn required_text(&mut self, name: &str, max_chars: usize) -> Option<String> {
        self.take(name, |raw| parse_required(raw, max_chars).map(unguard))
    }

    fn timestamp(&mut self, name: &str) -> Option<Option<NaiveDateTime>> {
        self.take(name, |raw| optional(raw, parse_timestamp))
    }

    /// Parses an amount in `currency`, or only checks its form when the
    /// currency is unknown.
    fn money(&mut self, name: &str, currency: Option<&str>, required: bool) -> Option<Option<i64>> {
        let separator = self.separator;
        self.take(name, |raw| {
            if !required && fields::is_blank(raw) {
                return Ok(None);
            }
            let places = currency.map_or(2, minor_unit_digits);
            let decimal = parse_amount(raw, separator, places)?;
            match currency {
                Some(code) => to_minor_units(decimal, code).map(Some),
                None => Ok(Some(0)),
            }
        })
    }

    fn finish<T>(mut self, record: Option<T>) -> Result<T, Vec<RowError>> {
        match record {
            Some(record) if self.errors.is_empty() => Ok(record),
            None if self.errors.is_empty() => {
                // Every field check that leaves a value out also reports it,
                // so reaching this is a gap in the checks. The row still fails
                // with a message.
                self.errors.push(RowError::new(
                    ROW_FIELD,
                    "",
                    "could not be read; check its values against the dataset's columns",
                ));
                Err(self.errors)
            }
            _ => Err(self.errors),
        }
    }
}

/// Removes the `'` that Ferry's and spreadsheets' formula guard puts before
/// text starting with `=`, `+`, `-`, `@`, a tab or a line break, so that an
/// exported file imports back to the same values.
fn unguard(text: String) -> String {
    let mut characters = text.chars();
    let guarded = characters.next() == Some('\'')
        && matches!(
            characters.next(),
            Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n')
        );
    if guarded {
        return text[1..].to_string();
    }
    text
}

/// Validates one record of `dataset`.
pub fn validate(
    dataset: Dataset,
    map: &ColumnMap,
    values: &[RawValue],
    separator: Option<DecimalSeparator>,
) -> Result<Record, Vec<RowError>> {
    let row = RowReader::new(dataset, map, values, separator);
    match dataset {
        Dataset::Customers => customer(row).map(Record::Customer),
        Dataset::Products => product(row).map(Record::Product),
        Dataset::Orders => order(row).map(Record::Order),
        Dataset::OrderItems => item(row).map(Record::Item),
    }
}

fn customer(mut row: RowReader<'_>) -> Result<CustomerRecord, Vec<RowError>> {
    let email = row.take("email", parse_email);
    let name = row.required_text("name", NAME_CHARS);
    let company = row.text("company", NAME_CHARS);
    let phone = row.text("phone", SHORT_CHARS);
    let country = row.take("country", |raw| optional(raw, parse_country));
    let city = row.text("city", SHORT_CHARS);
    let postal_code = row.text("postal_code", CODE_CHARS);
    let created_at = row.timestamp("created_at");
    row.take("updated_at", |raw| optional(raw, parse_timestamp));

    let record = (|| {
        Some(CustomerRecord {
            email: email?,
            name: name?,
            company: company?,
            phone: phone?,
            country: country?,
            city: city?,
            postal_code: postal_code?,
            created_at: created_at?,
        })
    })();
    row.finish(record)
}

fn product(mut row: RowReader<'_>) -> Result<ProductRecord, Vec<RowError>> {
    let sku = row.required_text("sku", CODE_CHARS);
    let name = row.required_text("name", NAME_CHARS);
    let description = row.text("description", DESCRIPTION_CHARS);
    let currency = row.take("currency", parse_currency);
    let price = row.money("price", currency.as_deref(), true);
    let active = row.take("active", |raw| optional(raw, parse_bool));
    let created_at = row.timestamp("created_at");
    row.take("updated_at", |raw| optional(raw, parse_timestamp));

    let record = (|| {
        Some(ProductRecord {
            sku: sku?,
            name: name?,
            description: description?,
            price_minor: price??,
            currency: currency?,
            active: active?.unwrap_or(true),
            created_at: created_at?,
        })
    })();
    row.finish(record)
}

fn order(mut row: RowReader<'_>) -> Result<OrderRecord, Vec<RowError>> {
    let order_number = row.required_text("order_number", CODE_CHARS);
    let placed_at = row.take("placed_at", parse_timestamp);
    let status = row.take("status", |raw| parse_one_of(raw, ORDER_STATUSES));
    let customer_email = row.take("customer_email", parse_email);
    let customer_name = row.text("customer_name", NAME_CHARS);
    let currency = row.take("currency", parse_currency);
    let subtotal = row.money("subtotal", currency.as_deref(), true);
    let tax = row.money("tax", currency.as_deref(), true);
    let total = row.money("total", currency.as_deref(), true);

    if let (Some(Some(subtotal)), Some(Some(tax)), Some(Some(total)), Some(code)) =
        (subtotal, tax, total, currency.as_deref())
        && subtotal.checked_add(tax) != Some(total)
    {
        let message = format!(
            "is not subtotal {} plus tax {}; enter {} or correct the subtotal or tax",
            format_minor(subtotal, code),
            format_minor(tax, code),
            format_minor(subtotal.saturating_add(tax), code)
        );
        row.errors
            .push(RowError::new("total", format_minor(total, code), message));
    }

    let record = (|| {
        Some(OrderRecord {
            order_number: order_number?,
            placed_at: placed_at?,
            status: status?,
            customer_email: customer_email?,
            customer_name: customer_name?,
            subtotal_minor: subtotal??,
            tax_minor: tax??,
            total_minor: total??,
            currency: currency?,
        })
    })();
    row.finish(record)
}

fn item(mut row: RowReader<'_>) -> Result<ItemRecord, Vec<RowError>> {
    let order_number = row.required_text("order_number", CODE_CHARS);
    let line_number = row.take("line_number", |raw| parse_integer(raw, 1, 100_000));
    let sku = row.required_text("sku", CODE_CHARS);
    let description = row.text("description", DESCRIPTION_CHARS);
    let quantity = row.take("quantity", |raw| parse_integer(raw, 1, 1_000_000));
    let currency = row.take("currency", parse_currency);
    let unit_price = row.money("unit_price", currency.as_deref(), true);
    let total = row.money("total", currency.as_deref(), false);
    let created_at = row.timestamp("created_at");

    let expected = match (quantity, unit_price) {
        (Some(quantity), Some(Some(price))) => {
            let product = price.checked_mul(quantity);
            if product.is_none() {
                row.errors.push(RowError::new(
                    "quantity",
                    quantity.to_string(),
                    "quantity times unit price is too large to store; check both values",
                ));
            }
            product
        }
        _ => None,
    };
    if let (Some(Some(total)), Some(expected), Some(code)) = (total, expected, currency.as_deref())
        && total != expected
    {
        let message = format!(
            "is not quantity times unit price ({}); enter that or leave the total empty",
            format_minor(expected, code)
        );
        row.errors
            .push(RowError::new("total", format_minor(total, code), message));
    }

    let record = (|| {
        Some(ItemRecord {
            order_number: order_number?,
            line_number: i32::try_from(line_number?).ok()?,
            sku: sku?,
            description: description?.unwrap_or_default(),
            quantity: i32::try_from(quantity?).ok()?,
            unit_price_minor: unit_price??,
            total_minor: total?.or(expected)?,
            currency: currency?,
            created_at: created_at?,
        })
    })();
    row.finish(record)
}

/// Returns the error for a source record the reader could not align, such
/// as one with too many fields.
pub fn note_error(note: &str) -> RowError {
    RowError::new(ROW_FIELD, "", note)
}

#[cfg(test)]
fn field_error_names(errors: &[RowError]) -> Vec<&str> {
    errors.iter().map(|error| error.field.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::import::schema::match_headers;

    fn check(dataset: Dataset, headers: &[&str], values: &[&str]) -> Result<Record, Vec<RowError>> {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        let map = match_headers(dataset, &headers, &BTreeMap::new()).unwrap();
        let values: Vec<RawValue> = values
            .iter()
            .map(|v| RawValue::Text(v.to_string()))
            .collect();
        validate(dataset, &map, &values, None)
    }

    #[test]
    fn customer_valid_parses() {
        let record = check(
            Dataset::Customers,
            &["email", "name", "country"],
            &[" Ana@Example.TEST ", "'=Ana", "pt"],
        )
        .unwrap();
        let Record::Customer(customer) = record else {
            panic!("not a customer");
        };
        assert_eq!(customer.email, "ana@example.test");
        assert_eq!(customer.name, "=Ana");
        assert_eq!(customer.country.as_deref(), Some("PT"));
    }

    #[test]
    fn nul_characters_are_rejected_and_escaped() {
        let errors = check(
            Dataset::Customers,
            &["email", "name"],
            &["a@example.test", "A\0B"],
        )
        .unwrap_err();
        assert_eq!(errors[0].field, "name");
        assert_eq!(errors[0].value, "A\\0B");
        assert!(errors[0].message.contains("NUL"), "{}", errors[0].message);
    }

    #[test]
    fn every_field_error_is_kept() {
        let errors = check(
            Dataset::Customers,
            &["email", "name", "country"],
            &["not-an-email", "", "Narnia"],
        )
        .unwrap_err();
        assert_eq!(field_error_names(&errors), ["email", "name", "country"]);
        assert_eq!(errors[0].value, "not-an-email");
    }

    #[test]
    fn order_totals_must_add_up() {
        let headers = [
            "order_number",
            "placed_at",
            "status",
            "customer_email",
            "subtotal",
            "tax",
            "total",
            "currency",
        ];
        let good = [
            "A-1",
            "2024-03-01T10:00:00Z",
            "paid",
            "a@example.test",
            "10.00",
            "2.10",
            "12.10",
            "EUR",
        ];
        let Record::Order(order) = check(Dataset::Orders, &headers, &good).unwrap() else {
            panic!("not an order");
        };
        assert_eq!(order.total_minor, 1210);

        let mut bad = good;
        bad[6] = "12.00";
        let errors = check(Dataset::Orders, &headers, &bad).unwrap_err();
        assert_eq!(field_error_names(&errors), ["total"]);
        assert!(errors[0].message.contains("12.10"), "{}", errors[0].message);
    }

    const ITEM_HEADERS: [&str; 6] = [
        "order_number",
        "line_number",
        "sku",
        "quantity",
        "unit_price",
        "currency",
    ];

    /// Checks one order item with [`ITEM_HEADERS`] and returns it.
    fn valid_item(values: &[&str]) -> ItemRecord {
        match check(Dataset::OrderItems, &ITEM_HEADERS, values).unwrap() {
            Record::Item(item) => item,
            _ => panic!("not an item"),
        }
    }

    #[test]
    fn item_total_defaults_to_product() {
        let item = valid_item(&["A-1", "2", "SKU-1", "3", "1.50", "EUR"]);
        assert_eq!(item.total_minor, 450);
        assert_eq!(item.line_number, 2);
    }

    #[test]
    fn three_place_amount_reads_decimal() {
        let item = valid_item(&["A-1", "1", "SKU-1", "2", "1.250", "KWD"]);

        assert_eq!(item.unit_price_minor, 1250);
        assert_eq!(item.total_minor, 2500);
    }

    #[test]
    fn item_total_overflow_reported() {
        let values = ["A-1", "1", "SKU-1", "1000000", "99999999999999.00", "EUR"];
        let errors = check(Dataset::OrderItems, &ITEM_HEADERS, &values).unwrap_err();

        assert_eq!(field_error_names(&errors), ["quantity"]);
        assert!(
            errors[0].message.contains("too large"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn unguard_only_before_formula_chars() {
        assert_eq!(unguard("'-5".into()), "-5");
        assert_eq!(unguard("'quoted'".into()), "'quoted'");
    }
}
