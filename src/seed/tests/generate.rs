use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};

use crate::datasets::ORDER_STATUSES;
use crate::seed::generate::{
    CustomerGenerator, EMAIL_DOMAIN, NewProduct, Window, catalogue, customer_count, product_count,
};
use crate::seed::names::STATUS_WEIGHTS;
use crate::seed::orders::{MAX_ITEMS_PER_ORDER, NewOrder, OrderGenerator, TAX_PERCENT, percent_of};

const SEED: u64 = 42;

fn reference_time() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 12, 4)
        .and_then(|date| date.and_hms_milli_opt(15, 30, 12, 250))
        .unwrap()
}

fn window() -> Window {
    Window::before(reference_time()).unwrap()
}

fn products(seed: u64) -> Vec<NewProduct> {
    catalogue(seed, window(), 10, 1)
}

fn orders(seed: u64, catalogue: &[NewProduct], count: u64) -> Vec<NewOrder> {
    OrderGenerator::new(seed, window(), catalogue, customer_count(count), count, 1).collect()
}

#[test]
fn counts_follow_order_count() {
    assert_eq!(customer_count(0), 1);
    assert_eq!(customer_count(3), 1);
    assert_eq!(customer_count(200), 50);
    assert_eq!(product_count(0), 10);
    assert_eq!(product_count(1_000), 50);
    assert_eq!(product_count(1_000_000), 500);
}

#[test]
fn window_truncates_to_seconds() {
    let window = window();
    assert_eq!(window.end.to_string(), "2026-12-04 15:30:12");
    assert_eq!(window.start.to_string(), "2024-12-04 15:30:12");
}

#[test]
fn same_seed_same_first_customer() {
    let first = CustomerGenerator::new(SEED, window(), 100, 1).next();
    let again = CustomerGenerator::new(SEED, window(), 100, 1).next();
    let other = CustomerGenerator::new(SEED + 1, window(), 100, 1).next();
    assert!(first.is_some());
    assert_eq!(first, again);
    assert_ne!(first, other);
}

#[test]
fn same_seed_same_first_order() {
    let catalogue = products(SEED);
    let first = orders(SEED, &catalogue, 100).into_iter().next();
    let again = orders(SEED, &catalogue, 100).into_iter().next();
    let other = orders(SEED + 1, &catalogue, 100).into_iter().next();
    assert!(first.is_some());
    assert_eq!(first, again);
    assert_ne!(first, other);
}

#[test]
fn same_seed_same_catalogue() {
    assert_eq!(products(SEED), products(SEED));
    assert_ne!(products(SEED), products(SEED + 1));
}

#[test]
fn customer_emails_unique_ascii() {
    let customers: Vec<_> = CustomerGenerator::new(SEED, window(), 2_000, 7).collect();
    let emails: HashSet<&str> = customers.iter().map(|c| c.email.as_str()).collect();
    assert_eq!(emails.len(), customers.len());

    for customer in &customers {
        let email = &customer.email;
        let (local, domain) = email.split_once('@').unwrap();
        assert_eq!(domain, EMAIL_DOMAIN, "{email}");
        assert!(
            local
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.'),
            "{email}"
        );
    }
    assert!(customers[0].email.ends_with(".7@example.test"));
}

#[test]
fn customers_look_realistic() {
    let customers: Vec<_> = CustomerGenerator::new(SEED, window(), 1_000, 1).collect();

    assert!(customers.iter().any(|c| !c.name.is_ascii()));
    assert!(customers.iter().any(|c| c.company.is_some()));
    assert!(customers.iter().any(|c| c.company.is_none()));
    let phones: Vec<&str> = customers
        .iter()
        .filter_map(|c| c.phone.as_deref())
        .collect();
    assert!(phones.iter().any(|phone| phone.starts_with('0')));
    let postal_codes: Vec<&str> = customers
        .iter()
        .filter_map(|c| c.postal_code.as_deref())
        .collect();
    assert!(postal_codes.iter().any(|code| code.starts_with('0')));
    for country in customers.iter().filter_map(|c| c.country) {
        assert_eq!(country.len(), 2, "{country}");
        assert!(country.chars().all(|c| c.is_ascii_uppercase()), "{country}");
    }
}

#[test]
fn customers_created_in_order() {
    let window = window();
    let customers: Vec<_> = CustomerGenerator::new(SEED, window, 500, 1).collect();
    assert_eq!(customers[0].created_at, window.start);
    for pair in customers.windows(2) {
        assert!(pair[0].created_at <= pair[1].created_at);
    }
    for customer in &customers {
        assert!(customer.updated_at >= customer.created_at);
        assert!(customer.updated_at <= window.end);
    }
}

#[test]
fn catalogue_skus_and_prices() {
    let catalogue = catalogue(SEED, window(), 50, 42);
    assert_eq!(catalogue.len(), 50);
    assert_eq!(catalogue[0].sku, "SKU-00042");
    assert_eq!(catalogue[49].sku, "SKU-00091");
    assert!(catalogue.iter().all(|p| p.price_minor > 0));
    assert!(catalogue.iter().filter(|p| p.active).count() > 25);
    for product in &catalogue {
        assert!(product.created_at <= window().start);
        assert!(product.updated_at >= product.created_at);
    }
}

#[test]
fn order_totals_add_up() {
    let catalogue = products(SEED);
    for order in orders(SEED, &catalogue, 2_000) {
        let items_total: i64 = order.items.iter().map(|item| item.total_minor).sum();
        assert_eq!(order.subtotal_minor, items_total, "{}", order.order_number);
        assert_eq!(
            order.tax_minor,
            percent_of(order.subtotal_minor, TAX_PERCENT)
        );
        assert_eq!(order.total_minor, order.subtotal_minor + order.tax_minor);

        for item in &order.items {
            let product = &catalogue[item.product_index];
            assert_eq!(item.unit_price_minor, product.price_minor);
            assert_eq!(
                item.total_minor,
                item.unit_price_minor * i64::from(item.quantity)
            );
            assert!((1..=5).contains(&item.quantity), "{}", item.quantity);
        }
    }
}

#[test]
fn orders_have_one_to_five_lines() {
    let catalogue = products(SEED);
    let orders = orders(SEED, &catalogue, 2_000);
    let mut sizes = HashSet::new();
    for order in &orders {
        let lines: Vec<i32> = order.items.iter().map(|item| item.line_number).collect();
        let expected: Vec<i32> = (1..=lines.len() as i32).collect();
        assert_eq!(lines, expected, "{}", order.order_number);
        sizes.insert(order.items.len());

        let products: HashSet<usize> = order.items.iter().map(|i| i.product_index).collect();
        assert_eq!(products.len(), order.items.len(), "{}", order.order_number);
    }
    let all_sizes: HashSet<usize> = (1..=MAX_ITEMS_PER_ORDER).collect();
    assert_eq!(sizes, all_sizes);
}

#[test]
fn order_numbers_and_times() {
    let window = window();
    let catalogue = products(SEED);
    let orders: Vec<_> = OrderGenerator::new(SEED, window, &catalogue, 25, 100, 901).collect();
    assert_eq!(orders.len(), 100);
    assert_eq!(orders[0].order_number, "ORD-0000901");
    assert_eq!(orders[99].order_number, "ORD-0001000");

    for pair in orders.windows(2) {
        assert!(pair[0].placed_at <= pair[1].placed_at);
    }
    for order in &orders {
        assert!(order.placed_at >= window.start, "{}", order.order_number);
        assert!(order.placed_at < window.end, "{}", order.order_number);
        assert!(
            order.updated_at >= order.placed_at,
            "{}",
            order.order_number
        );
        assert!(order.updated_at <= window.end, "{}", order.order_number);
        assert!(order.customer_index < 25);
    }
}

#[test]
fn orders_refer_to_earlier_customers() {
    let window = window();
    let catalogue = products(SEED);
    let customers: Vec<_> = CustomerGenerator::new(SEED, window, 250, 1).collect();
    let orders: Vec<_> = OrderGenerator::new(SEED, window, &catalogue, 250, 1_000, 1).collect();
    for order in &orders {
        let customer = &customers[order.customer_index as usize];
        assert!(
            customer.created_at <= order.placed_at,
            "{}",
            order.order_number
        );
    }
}

#[test]
fn payments_match_status() {
    let catalogue = products(SEED);
    let orders = orders(SEED, &catalogue, 2_000);
    for order in &orders {
        match &order.payment {
            None => assert_eq!(order.status, "pending", "{}", order.order_number),
            Some(payment) => {
                assert_ne!(order.status, "pending", "{}", order.order_number);
                assert_eq!(payment.amount_minor, order.total_minor);
                assert!(payment.reference.starts_with("PAY-"));
                assert!(["card", "paypal", "bank_transfer"].contains(&payment.method));
                assert!(payment.paid_at >= order.placed_at);
                assert!(order.updated_at >= payment.paid_at);
            }
        }
    }
}

#[test]
fn statuses_mostly_complete() {
    let listed: HashSet<&str> = STATUS_WEIGHTS.iter().map(|(status, _)| *status).collect();
    let known: HashSet<&str> = ORDER_STATUSES.iter().copied().collect();
    assert_eq!(listed, known);

    let catalogue = products(SEED);
    let orders = orders(SEED, &catalogue, 2_000);
    let complete = orders
        .iter()
        .filter(|o| ["delivered", "shipped", "paid"].contains(&o.status))
        .count();
    assert!(
        complete > 1_500,
        "{complete} of 2000 orders are paid or later"
    );
    let seen: HashSet<&str> = orders.iter().map(|o| o.status).collect();
    assert_eq!(seen, known);
}

#[test]
fn tax_rounds_half_up() {
    assert_eq!(percent_of(0, 20), 0);
    assert_eq!(percent_of(7, 20), 1);
    assert_eq!(percent_of(8, 20), 2);
    assert_eq!(percent_of(1_999, 20), 400);
    assert_eq!(percent_of(250, 1), 3);
}
