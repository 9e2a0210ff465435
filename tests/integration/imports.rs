//! Imports end to end: valid rows kept, every invalid one reported, the
//! failed-rows file fixed and imported again, dry runs, and bad files.

use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Backend, TestApp};
use crate::on_both_backends;

/// Writes `count` customers as CSV; every 20th row is invalid in one of
/// three ways. Returns the file and the spreadsheet row numbers of the
/// invalid rows with the field that is wrong.
pub fn customers_csv(count: usize) -> (String, Vec<(u64, &'static str)>) {
    let mut csv = String::from("Email,Full Name,Country,City\n");
    let mut invalid = Vec::new();
    for index in 0..count {
        let row = index as u64 + 2;
        let (email, name, country) = match index % 60 {
            19 => (
                format!("person{index}.example.test"),
                format!("Person {index}"),
                "PT",
            ),
            39 => (format!("person{index}@example.test"), String::new(), "DE"),
            59 => (
                format!("person{index}@example.test"),
                format!("Person {index}"),
                "Atlantis",
            ),
            _ => (
                format!("person{index}@example.test"),
                format!("Person {index}"),
                "FR",
            ),
        };
        match index % 60 {
            19 => invalid.push((row, "email")),
            39 => invalid.push((row, "name")),
            59 => invalid.push((row, "country")),
            _ => {}
        }
        csv.push_str(&format!("{email},{name},{country},Lisbon\n"));
    }
    (csv, invalid)
}

/// Returns an import's `imported` and `failed` counts, for one assert.
pub fn import_counts(job: &Value) -> (Option<u64>, Option<u64>) {
    (job["imported"].as_u64(), job["failed"].as_u64())
}

pub async fn customer_count(app: &TestApp, user_id: i64) -> i64 {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use ferry::db::schema::customers;

    let mut conn = app.context.db.conn().await.unwrap();
    ferry::with_conn!(&mut conn, c => customers::table
        .filter(customers::user_id.eq(user_id))
        .count()
        .get_result(c)
        .await)
    .unwrap()
}

pub async fn all_errors(app: &TestApp, token: &str, id: &str) -> Vec<Value> {
    let mut errors = Vec::new();
    let mut after = 0;
    loop {
        let path = format!("/api/imports/{id}/errors?after={after}&limit=300");
        let (status, page) = app.get_json(token, &path).await;
        assert_eq!(status, 200);
        errors.extend(page["errors"].as_array().unwrap().iter().cloned());
        match page["next"].as_i64() {
            Some(next) => after = next,
            None => return errors,
        }
    }
}

/// Replaces each failed row's bad value with a good one, keeping the
/// error column as a user who fixes the file in a spreadsheet would.
fn fix_failed_rows(failed: &str) -> String {
    let mut reader = csv::Reader::from_reader(failed.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        ["Email", "Full Name", "Country", "City", "error"]
    );
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&headers).unwrap();
    for record in reader.records() {
        let record = record.unwrap();
        let mut fields: Vec<String> = record.iter().map(str::to_string).collect();
        if !fields[0].contains('@') {
            fields[0] = fields[0].replacen(".example", "@example", 1);
        }
        if fields[1].is_empty() {
            fields[1] = "Fixed Name".to_string();
        }
        if fields[2] == "Atlantis" {
            fields[2] = "ES".to_string();
        }
        writer.write_record(&fields).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

async fn import_reports_every_invalid_row_and_fixes_import(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    let (csv, invalid) = customers_csv(10_000);
    assert_eq!(invalid.len(), 500);

    let job = app
        .import_file(
            &token,
            "customers",
            "customers.csv",
            csv.as_bytes(),
            json!({}),
        )
        .await;
    assert_eq!(job["status"], "completed", "{job}");
    assert_eq!(job["totalRows"], 10_000);
    assert_eq!(job["imported"], 9_500);
    assert_eq!(job["failed"], 500);
    assert_eq!(job["progressText"], "9,500 rows imported, 500 failed");
    assert_eq!(customer_count(&app, user_id).await, 9_500);

    let id = job["id"].as_str().unwrap();
    let errors = all_errors(&app, &token, id).await;
    let reported: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(reported, invalid);
    assert_eq!(errors[0]["value"], "person19.example.test");

    let outbox = app.files_under("outbox");
    assert_eq!(outbox.len(), 1);
    let message = crate::common::smtp::readable(&std::fs::read_to_string(&outbox[0]).unwrap());
    let report_link = app.url(job["reportUrl"].as_str().unwrap());
    assert!(
        message.contains(&report_link),
        "message lacks the report link: {message}"
    );
    assert!(message.contains("9,500"), "{message}");

    let (status, report) = app.download(job["reportUrl"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let report: Value = serde_json::from_slice(&report).unwrap();
    assert_eq!(report["totalRows"], 10_000);
    assert_eq!(report["errors"].as_array().unwrap().len(), 500);
    assert_eq!(report["errors"][1]["row"], 41);
    assert_eq!(report["errors"][1]["field"], "name");

    let (status, failed) = app.download(job["failedRowsUrl"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let fixed = fix_failed_rows(std::str::from_utf8(&failed).unwrap());
    let again = app
        .import_file(
            &token,
            "customers",
            "customers-failed-rows.csv",
            fixed.as_bytes(),
            json!({}),
        )
        .await;
    assert_eq!(import_counts(&again), (Some(500), Some(0)), "{again}");
    assert!(again["failedRowsUrl"].is_null());
    assert_eq!(customer_count(&app, user_id).await, 10_000);

    let repeat = app
        .import_file(
            &token,
            "customers",
            "customers.csv",
            csv.as_bytes(),
            json!({}),
        )
        .await;
    assert_eq!(repeat["imported"], 9_500);
    assert_eq!(customer_count(&app, user_id).await, 10_000);
}

const ORDERS_CSV: &str = "\
order_number,placed_at,status,customer_email,customer_name,subtotal,tax,total,currency
A-1,2024-03-01T10:00:00Z,paid,new@example.test,New Person,10.00,2.10,12.10,EUR
A-2,2024-03-02 11:00,shipped,NEW@example.test,,5.00,0.00,5.00,EUR
A-3,2024-03-03,lost,other@example.test,,1.00,0.00,1.00,EUR
A-1,2024-03-04T10:00:00Z,paid,new@example.test,,1.00,0.00,1.00,EUR
";

const ITEMS_CSV: &str = "\
order_number,line_number,sku,description,quantity,unit_price,currency
A-1,1,SKU-1,Mug,2,5.00,EUR
A-1,2,SKU-2,Tea,1,0.10,EUR
A-9,1,SKU-1,Mug,1,5.00,EUR
A-2,1,SKU-3,Pot,1,5.00,USD
";

async fn orders_create_customers_and_items_need_orders(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;

    let dry = app
        .import_file(
            &token,
            "orders",
            "orders.csv",
            ORDERS_CSV.as_bytes(),
            json!({"dryRun": true}),
        )
        .await;
    assert_eq!(dry["status"], "completed", "{dry}");
    assert_eq!(import_counts(&dry), (Some(2), Some(2)));
    assert_eq!(dry["customersCreated"], 1);
    assert_eq!(dry["progressText"], "2 rows would be imported, 2 failed");
    assert_eq!(customer_count(&app, user_id).await, 0);

    let job = app
        .import_file(
            &token,
            "orders",
            "orders.csv",
            ORDERS_CSV.as_bytes(),
            json!({}),
        )
        .await;
    assert_eq!(import_counts(&job), (Some(2), Some(2)), "{job}");
    assert_eq!(job["customersCreated"], 1);
    assert_eq!(customer_count(&app, user_id).await, 1);
    let errors = all_errors(&app, &token, job["id"].as_str().unwrap()).await;
    assert_eq!(errors[0]["row"], 4);
    assert_eq!(errors[0]["field"], "status");
    assert_eq!(errors[1]["row"], 5);
    assert_eq!(errors[1]["field"], "order_number");
    assert!(
        errors[1]["error"].as_str().unwrap().contains("row 2"),
        "{}",
        errors[1]
    );

    let items = app
        .import_file(
            &token,
            "order_items",
            "items.csv",
            ITEMS_CSV.as_bytes(),
            json!({}),
        )
        .await;
    assert_eq!(import_counts(&items), (Some(2), Some(2)), "{items}");
    let errors = all_errors(&app, &token, items["id"].as_str().unwrap()).await;
    assert_eq!(
        (errors[0]["row"].as_u64(), errors[0]["field"].as_str()),
        (Some(4), Some("order_number"))
    );
    assert_eq!(
        (errors[1]["row"].as_u64(), errors[1]["field"].as_str()),
        (Some(5), Some("currency"))
    );
}

async fn missing_columns_fail_before_any_row(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;

    let csv = "email,city\nana@example.test,Porto\n";
    let job = app
        .import_file(&token, "customers", "people.csv", csv.as_bytes(), json!({}))
        .await;
    assert_eq!(job["status"], "failed");
    let message = job["error"].as_str().unwrap();
    assert!(message.contains("required field name"), "{message}");
    assert_eq!(customer_count(&app, user_id).await, 0);

    let mapped = app
        .import_file(
            &token,
            "customers",
            "people.csv",
            csv.as_bytes(),
            json!({"mapping": {"city": "name"}}),
        )
        .await;
    assert_eq!(mapped["imported"], 1, "{mapped}");

    let misspelt = app
        .import_file(
            &token,
            "customers",
            "people.csv",
            csv.as_bytes(),
            json!({"mapping": {"Kity": "name"}}),
        )
        .await;
    assert_eq!(misspelt["status"], "failed");
    let message = misspelt["error"].as_str().unwrap();
    assert!(message.contains("\"kity\""), "{message}");
    assert!(message.contains("email, city"), "{message}");
}

async fn bad_files_get_clear_messages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = app.user_with_token("ana@example.test").await;

    let key = app.upload(&token, "empty.csv", b"").await;
    let response = app
        .post_json(
            &token,
            "/api/imports",
            &json!({"dataset": "customers", "uploadKey": key}),
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"].as_str().unwrap().contains("empty"),
        "{body}"
    );

    let key = app.upload(&token, "notes.pdf", b"%PDF-1.4 \x00\x01").await;
    let response = app
        .post_json(
            &token,
            "/api/imports",
            &json!({"dataset": "customers", "uploadKey": key}),
        )
        .await;
    assert_eq!(response.status(), 422);

    let header_only = app
        .import_file(
            &token,
            "customers",
            "header.csv",
            b"email,name\n",
            json!({}),
        )
        .await;
    assert_eq!(header_only["status"], "failed");
    assert!(
        header_only["error"]
            .as_str()
            .unwrap()
            .contains("no data rows")
    );

    let latin1 = b"email,name\nana@example.test,Jos\xe9\n";
    let strict = app
        .import_file(
            &token,
            "customers",
            "latin.csv",
            latin1,
            json!({"encoding": "utf-8"}),
        )
        .await;
    assert_eq!(import_counts(&strict), (Some(0), Some(1)), "{strict}");
    let errors = all_errors(&app, &token, strict["id"].as_str().unwrap()).await;
    assert_eq!(
        (errors[0]["row"].as_u64(), errors[0]["field"].as_str()),
        (Some(2), Some("row"))
    );
    assert!(
        errors[0]["error"].as_str().unwrap().contains("UTF-8"),
        "{errors:?}"
    );
    let detected = app
        .import_file(&token, "customers", "latin.csv", latin1, json!({}))
        .await;
    assert_eq!(detected["imported"], 1, "{detected}");

    let nul = b"email,name\na@example.test,Ana\nb@example.test,B\x00o\nc@example.test,Cy\n";
    let job = app
        .import_file(&token, "customers", "nul.csv", nul, json!({}))
        .await;
    assert_eq!(import_counts(&job), (Some(2), Some(1)), "{job}");
    let errors = all_errors(&app, &token, job["id"].as_str().unwrap()).await;
    assert_eq!(
        (errors[0]["row"].as_u64(), errors[0]["field"].as_str()),
        (Some(3), Some("name"))
    );
    assert_eq!(errors[0]["value"], "B\\0o");

    let workbook = xlsx_customers(3);
    let truncated = &workbook[..workbook.len() / 2];
    let broken = app
        .import_file(&token, "customers", "people.xlsx", truncated, json!({}))
        .await;
    assert_eq!(broken["status"], "failed");
    assert_eq!(broken["imported"], 0);
    let whole = app
        .import_file(&token, "customers", "people.xlsx", &workbook, json!({}))
        .await;
    assert_eq!(whole["imported"], 3, "{whole}");
}

/// Builds a small workbook of customers with rust_xlsxwriter.
fn xlsx_customers(count: u32) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "email").unwrap();
    sheet.write_string(0, 1, "name").unwrap();
    sheet.write_string(0, 2, "postal_code").unwrap();
    for row in 1..=count {
        sheet
            .write_string(row, 0, format!("p{row}@example.test"))
            .unwrap();
        sheet.write_string(row, 1, format!("Person {row}")).unwrap();
        sheet.write_string(row, 2, "01234").unwrap();
    }
    workbook.save_to_buffer().unwrap()
}

async fn cancelled_import_keeps_chunks_and_resumes(backend: Backend) {
    let app = TestApp::spawn_with(backend, &["--batch-pause", "150ms"]).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    let (csv, _) = customers_csv(20_000);

    let key = app.upload(&token, "customers.csv", csv.as_bytes()).await;
    let body = json!({"dataset": "customers", "uploadKey": key});
    let job: Value = app
        .post_json(&token, "/api/imports", &body)
        .await
        .json()
        .await
        .unwrap();
    let id = job["id"].as_str().unwrap().to_string();
    loop {
        let (_, now) = app.get_json(&token, &format!("/api/imports/{id}")).await;
        if now["processedRows"].as_u64().unwrap_or(0) >= 3_000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cancel = app
        .post_json(&token, &format!("/api/jobs/{id}/cancel"), &json!({}))
        .await;
    assert_eq!(cancel.status(), 202);
    let cancelled = app
        .wait_for(&token, "imports", &id, Duration::from_secs(30))
        .await;
    assert_eq!(cancelled["status"], "cancelled");
    let kept = cancelled["imported"].as_i64().unwrap();
    assert!(kept > 0, "{cancelled}");
    assert!(kept < 19_000, "{cancelled}");
    assert_eq!(customer_count(&app, user_id).await, kept);

    let resumed = app
        .post_json(&token, &format!("/api/imports/{id}/resume"), &json!({}))
        .await;
    assert_eq!(resumed.status(), 202);
    let done = app
        .wait_for(&token, "imports", &id, Duration::from_secs(120))
        .await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        import_counts(&done),
        (Some(19_000), Some(1_000)),
        "{cancelled} {done}"
    );
    assert_eq!(customer_count(&app, user_id).await, 19_000);
    let errors = all_errors(&app, &token, &id).await;
    let mut rows: Vec<u64> = errors.iter().map(|e| e["row"].as_u64().unwrap()).collect();
    rows.dedup();
    assert_eq!(
        (errors.len(), rows.len()),
        (1_000, 1_000),
        "{:?}",
        &errors[..3]
    );

    let again = app
        .post_json(&token, &format!("/api/imports/{id}/resume"), &json!({}))
        .await;
    assert_eq!(again.status(), 409);
}

/// Files as spreadsheet programs save them; `tests/fixtures/make_fixtures.py`
/// wrote them.
async fn spreadsheet_files_import(backend: Backend) {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use ferry::db::schema::{customers, products};

    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");

    let workbook = std::fs::read(fixtures.join("products-openpyxl.xlsx")).unwrap();
    let job = app
        .import_file(&token, "products", "products.xlsx", &workbook, json!({}))
        .await;
    assert_eq!(import_counts(&job), (Some(2), Some(1)), "{job}");
    let errors = all_errors(&app, &token, job["id"].as_str().unwrap()).await;
    assert_eq!(
        (errors[0]["row"].as_u64(), errors[0]["field"].as_str()),
        (Some(4), Some("price"))
    );

    let mut conn = app.context.db.conn().await.unwrap();
    let stored: Vec<(String, i64, bool, chrono::NaiveDateTime)> =
        ferry::with_conn!(&mut conn, c => products::table
        .filter(products::user_id.eq(user_id))
        .order(products::sku.asc())
        .select((products::sku, products::price_minor, products::active, products::created_at))
        .load(c)
        .await)
        .unwrap();
    assert_eq!(stored[0].0, "007");
    assert_eq!((stored[0].1, stored[0].2), (1250, true));
    assert_eq!(
        (stored[1].0.as_str(), stored[1].1, stored[1].2),
        ("A-100", 3900, false)
    );
    assert_eq!(stored[1].3.to_string(), "2024-12-31 23:59:59");

    let csv = std::fs::read(fixtures.join("customers-excel-1252.csv")).unwrap();
    let job = app
        .import_file(&token, "customers", "customers.csv", &csv, json!({}))
        .await;
    assert_eq!(import_counts(&job), (Some(2), Some(1)), "{job}");
    let errors = all_errors(&app, &token, job["id"].as_str().unwrap()).await;
    assert_eq!(errors[0]["row"], 5, "the blank row 4 still counts");
    let people: Vec<(String, Option<String>, Option<String>)> =
        ferry::with_conn!(&mut conn, c => customers::table
        .filter(customers::user_id.eq(user_id))
        .order(customers::email.desc())
        .select((customers::name, customers::company, customers::postal_code))
        .load(c)
        .await)
        .unwrap();
    assert_eq!(
        people[0],
        (
            "José Müller".into(),
            Some("Café Zoë GmbH".into()),
            Some("01234".into())
        )
    );

    failed_rows_keep_upload_dialect(&app, &token).await;
}

/// Checks that a Windows-1252 file with semicolons gets its failed rows back
/// in the same encoding and delimiter, and that the fixed file imports.
async fn failed_rows_keep_upload_dialect(app: &TestApp, token: &str) {
    let latin = b"Email;Name\r\nnot-an-email;Ren\xE9 Lef\xE8vre\r\nzoe@example.test;Zo\xEB\r\n";
    let job = app
        .import_file(token, "customers", "latin.csv", latin, json!({}))
        .await;
    assert_eq!(import_counts(&job), (Some(1), Some(1)), "{job}");

    let (status, failed) = app.download(job["failedRowsUrl"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(failed.starts_with(b"Email;Name;error"), "{failed:?}");
    let row = b"not-an-email;Ren\xE9 Lef\xE8vre;";
    let at = failed
        .windows(row.len())
        .position(|window| window == row)
        .unwrap_or_else(|| panic!("no Windows-1252 row in {failed:?}"));

    let mut fixed = failed[..at].to_vec();
    fixed.extend_from_slice(b"rene@example.test");
    fixed.extend_from_slice(&failed[at + b"not-an-email".len()..]);
    let again = app
        .import_file(token, "customers", "latin-failed.csv", &fixed, json!({}))
        .await;
    assert_eq!(import_counts(&again), (Some(1), Some(0)), "{again}");
}

async fn reader_options_and_warnings_apply(backend: Backend) {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use ferry::db::schema::products;

    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;

    let csv = "sku|name|price|currency|Notes\nA-1|Mug|1.234,50|EUR|fragile\n";
    let options = json!({"delimiter": "|", "decimalSeparator": "comma"});
    let job = app
        .import_file(&token, "products", "products.txt", csv.as_bytes(), options)
        .await;
    assert_eq!(job["imported"], 1, "{job}");
    let warnings = job["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].as_str().unwrap().contains("\"Notes\""),
        "{warnings:?}"
    );

    let mut workbook = rust_xlsxwriter::Workbook::new();
    let first = workbook.add_worksheet();
    first.set_name("Summary").unwrap();
    first.write_string(0, 0, "not the data").unwrap();
    let second = workbook.add_worksheet();
    second.set_name("Catalogue").unwrap();
    for (column, header) in ["sku", "name", "price", "currency"].iter().enumerate() {
        second.write_string(0, column as u16, *header).unwrap();
    }
    second.write_string(1, 0, "B-2").unwrap();
    second.write_string(1, 1, "Pot").unwrap();
    second.write_number(1, 2, 20.0).unwrap();
    second.write_string(1, 3, "EUR").unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let job = app
        .import_file(
            &token,
            "products",
            "catalogue.xlsx",
            &bytes,
            json!({"sheet": "Catalogue"}),
        )
        .await;
    assert_eq!(job["imported"], 1, "{job}");

    let mut conn = app.context.db.conn().await.unwrap();
    let prices: Vec<(String, i64)> = ferry::with_conn!(&mut conn, c => products::table
        .filter(products::user_id.eq(user_id))
        .order(products::sku.asc())
        .select((products::sku, products::price_minor))
        .load(c)
        .await)
    .unwrap();
    assert_eq!(
        prices,
        [("A-1".to_string(), 123_450), ("B-2".to_string(), 2_000)]
    );
}

async fn absent_columns_keep_stored_values(backend: Backend) {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use ferry::db::schema::{customers, products};

    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    let full = "email,name,company,phone,country,city,postal_code\nkeep@example.test,Keep,Acme,+351 912,PT,Lisboa,1000-001\n";
    app.import_file(&token, "customers", "full.csv", full.as_bytes(), json!({}))
        .await;
    let renamed = "email,name\nkeep@example.test,Keep Renamed\n";
    let job = app
        .import_file(
            &token,
            "customers",
            "names.csv",
            renamed.as_bytes(),
            json!({}),
        )
        .await;
    assert_eq!(job["imported"], 1, "{job}");

    let mut conn = app.context.db.conn().await.unwrap();
    let stored: (String, Option<String>, Option<String>, Option<String>) =
        ferry::with_conn!(&mut conn, c => customers::table
        .filter(customers::user_id.eq(user_id))
        .select((customers::name, customers::company, customers::country, customers::postal_code))
        .first(c)
        .await)
        .unwrap();
    assert_eq!(stored.0, "Keep Renamed");
    assert_eq!(stored.1.as_deref(), Some("Acme"));
    assert_eq!(stored.2.as_deref(), Some("PT"));
    assert_eq!(stored.3.as_deref(), Some("1000-001"));

    let product = "sku,name,description,price,currency,active\nP-1,Mug,Blue,5.00,EUR,no\n";
    app.import_file(&token, "products", "p.csv", product.as_bytes(), json!({}))
        .await;
    let priced = "sku,name,price,currency\nP-1,Mug,6.00,EUR\n";
    app.import_file(&token, "products", "p2.csv", priced.as_bytes(), json!({}))
        .await;
    let stored: (i64, bool, Option<String>) = ferry::with_conn!(&mut conn, c => products::table
        .filter(products::user_id.eq(user_id))
        .select((products::price_minor, products::active, products::description))
        .first(c)
        .await)
    .unwrap();
    assert_eq!(stored, (600, false, Some("Blue".to_string())));
}

/// Checks that an NDJSON line that is not valid JSON comes back in the
/// failed-rows file as it was, to be fixed there and imported again.
async fn ndjson_failed_rows_keep_broken_lines(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;

    let lines = concat!(
        "{\"email\":\"ana@example.test\",\"name\":\"Ana\"}\n",
        "{\"email\":\"not-an-email\",\"name\":\"Bea\"}\n",
        "{\"email\": \"cy@example.test\", \"name\": \n",
        "{\"email\":\"zoe@example.test\",\"name\":\"Zo\u{eb}\"}\n",
    );
    let job = app
        .import_file(
            &token,
            "customers",
            "people.ndjson",
            lines.as_bytes(),
            json!({}),
        )
        .await;
    assert_eq!(import_counts(&job), (Some(2), Some(2)), "{job}");

    let (status, failed) = app.download(job["failedRowsUrl"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let failed = String::from_utf8(failed).unwrap();
    let failed_lines: Vec<&str> = failed.lines().collect();
    assert_eq!(failed_lines.len(), 2, "{failed}");
    let first: Value = serde_json::from_str(failed_lines[0]).unwrap();
    assert_eq!(first["email"], "not-an-email");
    assert!(
        first["error"].as_str().unwrap().contains("email"),
        "{first}"
    );
    assert_eq!(
        failed_lines[1],
        "{\"email\": \"cy@example.test\", \"name\":"
    );

    let fixed = failed
        .replace("not-an-email", "bea@example.test")
        .replace("\"name\":\n", "\"name\": \"Cy\"}\n");
    let again = app
        .import_file(
            &token,
            "customers",
            "people-failed.ndjson",
            fixed.as_bytes(),
            json!({}),
        )
        .await;
    assert_eq!(import_counts(&again), (Some(2), Some(0)), "{again}");
    assert_eq!(customer_count(&app, user_id).await, 4);
}

on_both_backends!(
    import_reports_every_invalid_row_and_fixes_import,
    ndjson_failed_rows_keep_broken_lines,
    orders_create_customers_and_items_need_orders,
    missing_columns_fail_before_any_row,
    bad_files_get_clear_messages,
    cancelled_import_keeps_chunks_and_resumes,
    spreadsheet_files_import,
    reader_options_and_warnings_apply,
    absent_columns_keep_stored_values,
);
