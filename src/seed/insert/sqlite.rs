//! The inserts on SQLite, through synchronous diesel, which runs a
//! multi-row INSERT as one statement when no value is `DEFAULT`.

use diesel::prelude::*;
use diesel::result::Error;

use super::{
    CustomerRow, ITEM_BATCH_ROWS, OrderChunk, OrderChunkCounts, ProductRow, ids_by_order_number,
    item_rows, order_rows, payment_rows,
};
use crate::db::schema::{customers, order_items, orders, payments, products};

pub(super) fn insert_products(
    c: &mut SqliteConnection,
    rows: &[ProductRow<'_>],
) -> QueryResult<usize> {
    diesel::insert_into(products::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(c)
}

pub(super) fn insert_customers(
    c: &mut SqliteConnection,
    rows: &[CustomerRow<'_>],
) -> QueryResult<usize> {
    diesel::insert_into(customers::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(c)
}

pub(super) fn insert_order_chunk(
    c: &mut SqliteConnection,
    chunk: &OrderChunk,
) -> QueryResult<OrderChunkCounts> {
    c.transaction::<_, Error, _>(|c| {
        let inserted = diesel::insert_into(orders::table)
            .values(order_rows(chunk))
            .on_conflict_do_nothing()
            .returning((orders::id, orders::order_number))
            .get_results(c)?;
        let ids = ids_by_order_number(inserted);

        let mut order_items = 0;
        for batch in item_rows(chunk, &ids).chunks(ITEM_BATCH_ROWS) {
            order_items += diesel::insert_into(order_items::table)
                .values(batch)
                .execute(c)?;
        }

        let payment_rows = payment_rows(chunk, &ids);
        let mut payments = 0;
        if !payment_rows.is_empty() {
            payments = diesel::insert_into(payments::table)
                .values(&payment_rows)
                .execute(c)?;
        }
        Ok(OrderChunkCounts {
            orders: ids.len() as u64,
            order_items: order_items as u64,
            payments: payments as u64,
        })
    })
}
