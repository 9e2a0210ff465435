//! The deterministic order generator: orders with their items and payment.

use chrono::NaiveDateTime;
use rand::Rng;
use rand::seq::index;
use rand_chacha::ChaCha8Rng;

use super::generate::{
    NewProduct, Stream, Window, last_slot_started, random_offset_in_slot, stream_rng,
};
use super::names::{PAYMENT_METHOD_WEIGHTS, STATUS_WEIGHTS};

/// Value-added tax charged on every order, in percent of the subtotal.
pub(super) const TAX_PERCENT: i64 = 20;

pub(super) const MAX_ITEMS_PER_ORDER: usize = 5;

const MAX_QUANTITY: i32 = 5;

const HOUR_SECONDS: i64 = 3_600;

const DAY_SECONDS: i64 = 86_400;

/// An order without the ids the database assigns. `customer_index` is the
/// position of its customer in the generated customer sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NewOrder {
    pub order_number: String,
    pub customer_index: u64,
    pub status: &'static str,
    pub subtotal_minor: i64,
    pub tax_minor: i64,
    pub total_minor: i64,
    pub placed_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub items: Vec<NewItem>,
    pub payment: Option<NewPayment>,
}

/// An order line. `product_index` is the product's position in the
/// catalogue, whose SKU and name the inserted row copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NewItem {
    pub line_number: i32,
    pub product_index: usize,
    pub quantity: i32,
    pub unit_price_minor: i64,
    pub total_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NewPayment {
    pub method: &'static str,
    pub amount_minor: i64,
    pub reference: String,
    pub paid_at: NaiveDateTime,
}

/// Returns `percent` of `amount` rounded half up, for non-negative amounts.
pub(super) fn percent_of(amount: i64, percent: i64) -> i64 {
    (amount * percent + 50) / 100
}

/// Yields `count` orders numbered from `first_number`, placed in time
/// order across the window. Each order belongs to a customer created
/// before it was placed, so long-standing customers collect more orders.
pub(super) struct OrderGenerator<'a> {
    rng: ChaCha8Rng,
    window: Window,
    catalogue: &'a [NewProduct],
    customers: u64,
    count: u64,
    first_number: u64,
    next_index: u64,
}

impl<'a> OrderGenerator<'a> {
    /// Starts a generator over `catalogue` and `customers` customers. Every
    /// order has 1 to 5 items, or fewer when the catalogue is smaller.
    pub fn new(
        seed: u64,
        window: Window,
        catalogue: &'a [NewProduct],
        customers: u64,
        count: u64,
        first_number: u64,
    ) -> Self {
        OrderGenerator {
            rng: stream_rng(seed, Stream::Orders),
            window,
            catalogue,
            customers,
            count,
            first_number,
            next_index: 0,
        }
    }

    fn order(&mut self, index: u64) -> NewOrder {
        let offset = random_offset_in_slot(&mut self.rng, index, self.count);
        let placed_at = self.window.at(offset);
        let newest_customer = last_slot_started(offset, self.customers);
        let customer_index = self.rng.gen_range(0..=newest_customer);
        let status = pick_weighted(&mut self.rng, STATUS_WEIGHTS);

        let items = self.items();
        let subtotal_minor = items.iter().map(|item| item.total_minor).sum();
        let tax_minor = percent_of(subtotal_minor, TAX_PERCENT);
        let total_minor = subtotal_minor + tax_minor;

        let payment = (status != "pending").then(|| self.payment(placed_at, total_minor));
        let paid_or_placed = payment.as_ref().map_or(placed_at, |p| p.paid_at);
        let updated_at = self.updated_at(status, paid_or_placed);
        NewOrder {
            order_number: format!("ORD-{:07}", self.first_number + index),
            customer_index,
            status,
            subtotal_minor,
            tax_minor,
            total_minor,
            placed_at,
            updated_at,
            items,
            payment,
        }
    }

    /// Draws distinct products, so no product appears on two lines.
    fn items(&mut self) -> Vec<NewItem> {
        let lines = self
            .rng
            .gen_range(1..=MAX_ITEMS_PER_ORDER)
            .min(self.catalogue.len());
        let products = index::sample(&mut self.rng, self.catalogue.len(), lines);
        let mut items = Vec::with_capacity(lines);
        for (line, product_index) in products.into_iter().enumerate() {
            let quantity = self.rng.gen_range(1..=MAX_QUANTITY);
            let unit_price_minor = self.catalogue[product_index].price_minor;
            items.push(NewItem {
                line_number: line as i32 + 1,
                product_index,
                quantity,
                unit_price_minor,
                total_minor: unit_price_minor * i64::from(quantity),
            });
        }
        items
    }

    fn payment(&mut self, placed_at: NaiveDateTime, amount_minor: i64) -> NewPayment {
        let method = pick_weighted(&mut self.rng, PAYMENT_METHOD_WEIGHTS);
        let delay = self.rng.gen_range(5..=30 * 60);
        let reference = format!("PAY-{:012X}", self.rng.r#gen::<u64>() >> 16);
        NewPayment {
            method,
            amount_minor,
            reference,
            paid_at: self.window.after(placed_at, delay),
        }
    }

    /// Returns the time of the order's last change: its payment, or its
    /// placement when unpaid, plus a typical delay for reaching `status`.
    fn updated_at(&mut self, status: &str, paid_or_placed: NaiveDateTime) -> NaiveDateTime {
        let delay = match status {
            "shipped" => self.rng.gen_range(HOUR_SECONDS..=3 * DAY_SECONDS),
            "delivered" => self.rng.gen_range(2 * DAY_SECONDS..=10 * DAY_SECONDS),
            "cancelled" => self.rng.gen_range(0..=2 * DAY_SECONDS),
            "refunded" => self.rng.gen_range(7 * DAY_SECONDS..=30 * DAY_SECONDS),
            _ => 0,
        };
        self.window.after(paid_or_placed, delay)
    }
}

impl Iterator for OrderGenerator<'_> {
    type Item = NewOrder;

    fn next(&mut self) -> Option<NewOrder> {
        if self.next_index >= self.count {
            return None;
        }
        let order = self.order(self.next_index);
        self.next_index += 1;
        Some(order)
    }
}

/// Returns a value from a non-empty list of `(value, weight)` pairs with
/// probability proportional to its weight.
fn pick_weighted(rng: &mut ChaCha8Rng, weighted: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = weighted.iter().map(|(_, weight)| weight).sum();
    let mut roll = rng.gen_range(0..total);
    for &(value, weight) in weighted {
        if roll < weight {
            return value;
        }
        roll -= weight;
    }
    weighted[weighted.len() - 1].0
}
