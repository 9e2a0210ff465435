//! Exported values that spreadsheets and JSON clients commonly corrupt:
//! formula text, long identifiers, time zones, money and the byte-order
//! mark, checked through a real export.

use std::time::Duration;

use calamine::Reader;
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use ferry::db::schema::{customers, order_items, orders};
use ferry::with_conn;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp};
use crate::on_both_backends;

async fn insert_tricky_records(app: &TestApp, user_id: i64) {
    let mut conn = app.context.db.conn().await.unwrap();
    let created = NaiveDate::from_ymd_opt(2024, 10, 1)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap();
    let people = [
        (
            "formula@example.test",
            "=1+1",
            "@cmd",
            "\tx",
            "-3+4",
            "02134",
        ),
        (
            "sao@example.test",
            "Ana Souza",
            "Acme Ltd",
            "São Paulo",
            "0444123456",
            "01310",
        ),
    ];
    for (email, name, company, city, phone, postal) in people {
        with_conn!(&mut conn, c => diesel::insert_into(customers::table)
            .values((
                customers::user_id.eq(user_id),
                customers::email.eq(email),
                customers::name.eq(name),
                customers::company.eq(company),
                customers::city.eq(city),
                customers::phone.eq(phone),
                customers::postal_code.eq(postal),
                customers::country.eq("BR"),
                customers::created_at.eq(created),
                customers::updated_at.eq(created),
            ))
            .execute(c)
            .await)
        .unwrap();
    }
    let customer_id: i64 = with_conn!(&mut conn, c => customers::table
        .filter(customers::email.eq("formula@example.test"))
        .select(customers::id)
        .first(c)
        .await)
    .unwrap();

    // 00:30 and 01:30 UTC on the night clocks went back in central Europe.
    let times = [
        (0, "4000123412341234567", 10),
        (1, "4000123412341234568", -4200),
    ];
    for (hour, number, total) in times {
        let placed = NaiveDate::from_ymd_opt(2024, 10, 27)
            .unwrap()
            .and_hms_opt(hour, 30, 0)
            .unwrap();
        let order_id: i64 = with_conn!(&mut conn, c => diesel::insert_into(orders::table)
            .values((
                orders::user_id.eq(user_id),
                orders::order_number.eq(number),
                orders::customer_id.eq(customer_id),
                orders::status.eq("paid"),
                orders::currency.eq("EUR"),
                orders::subtotal_minor.eq(total),
                orders::tax_minor.eq(0),
                orders::total_minor.eq(total),
                orders::placed_at.eq(placed),
                orders::created_at.eq(placed),
                orders::updated_at.eq(placed),
            ))
            .returning(orders::id)
            .get_result(c)
            .await)
        .unwrap();
        with_conn!(&mut conn, c => diesel::insert_into(order_items::table)
            .values((
                order_items::user_id.eq(user_id),
                order_items::order_id.eq(order_id),
                order_items::line_number.eq(1),
                order_items::product_sku.eq("=HYPERLINK(\"x\")"),
                order_items::description.eq("Widget"),
                order_items::quantity.eq(-42),
                order_items::unit_price_minor.eq(total),
                order_items::total_minor.eq(total),
                order_items::created_at.eq(placed),
            ))
            .execute(c)
            .await)
        .unwrap();
    }
}

async fn export_bytes(app: &TestApp, token: &str, body: Value) -> Vec<u8> {
    let job = app.start_export(token, body).await;
    let done = app
        .wait_for_job(token, job["id"].as_str().unwrap(), Duration::from_secs(30))
        .await;
    assert_eq!(done["status"], "completed", "{done}");
    app.download(done["downloadUrl"].as_str().unwrap()).await.1
}

async fn csv_guards_formulas_but_not_numbers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    insert_tricky_records(&app, user_id).await;

    let bytes = export_bytes(
        &app,
        &token,
        json!({"dataset": "customers", "format": "csv"}),
    )
    .await;
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[1], "'=1+1");
    assert_eq!(&row[2], "'@cmd");
    assert_eq!(&row[5], "'\tx");
    assert_eq!(&row[3], "'-3+4");
    assert_eq!(&row[6], "02134");

    let items = export_bytes(
        &app,
        &token,
        json!({"dataset": "order_items", "format": "csv"}),
    )
    .await;
    let mut reader = csv::Reader::from_reader(items.as_slice());
    let item = reader.records().next().unwrap().unwrap();
    assert_eq!(&item[2], "'=HYPERLINK(\"x\")");
    assert_eq!(&item[4], "-42");
}

async fn json_keeps_identifiers_money_and_utc(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    insert_tricky_records(&app, user_id).await;

    let bytes = export_bytes(&app, &token, json!({"dataset": "orders", "format": "json"})).await;
    let orders: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(orders[0]["order_number"], "4000123412341234567");
    assert_eq!(orders[0]["total"], "0.10");
    assert_eq!(orders[1]["total"], "-42.00");
    assert_eq!(orders[0]["placed_at"], "2024-10-27T00:30:00Z");
    assert_eq!(orders[1]["placed_at"], "2024-10-27T01:30:00Z");
    assert_eq!(orders[0]["items"][0]["quantity"], -42);
}

async fn xlsx_writes_identifiers_and_formulas_as_text(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    insert_tricky_records(&app, user_id).await;

    let bytes = export_bytes(&app, &token, json!({"dataset": "orders", "format": "xlsx"})).await;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Data").unwrap();
    assert_eq!(
        sheet.get((1, 0)),
        Some(&calamine::Data::String("4000123412341234567".into()))
    );

    let bytes = export_bytes(
        &app,
        &token,
        json!({"dataset": "customers", "format": "xlsx"}),
    )
    .await;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("Data").unwrap();
    assert_eq!(
        sheet.get((1, 1)),
        Some(&calamine::Data::String("=1+1".into()))
    );
    let formulas = book.worksheet_formula("Data").unwrap();
    assert!(
        formulas
            .used_cells()
            .all(|(_, _, formula)| formula.is_empty())
    );
}

async fn excel_compatible_csv_starts_with_bom(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (user_id, token) = app.user_with_token("ana@example.test").await;
    insert_tricky_records(&app, user_id).await;
    let body =
        json!({"dataset": "customers", "format": "csv", "options": {"excelCompatible": true}});

    let bytes = export_bytes(&app, &token, body).await;
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    assert!(
        String::from_utf8(bytes[3..].to_vec())
            .unwrap()
            .contains("São Paulo")
    );
}

on_both_backends!(
    csv_guards_formulas_but_not_numbers,
    json_keeps_identifiers_money_and_utc,
    xlsx_writes_identifiers_and_formulas_as_text,
    excel_compatible_csv_starts_with_bom,
);
