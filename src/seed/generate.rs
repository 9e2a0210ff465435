//! Deterministic generators for the time window, customers and products.
//! Orders are in [`super::orders`].

use chrono::{NaiveDateTime, TimeDelta, Timelike};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::names::{
    COMPANIES, FIRST_NAMES, LAST_NAMES, LOCATIONS, PRODUCT_ADJECTIVES, PRODUCT_MATERIALS,
    PRODUCT_NOUNS,
};

pub(super) const CURRENCY: &str = "EUR";

pub(super) const EMAIL_DOMAIN: &str = "example.test";

const WINDOW_DAYS: i64 = 730;

const WINDOW_SECONDS: u64 = WINDOW_DAYS as u64 * 86_400;

const DAY_SECONDS: i64 = 86_400;

/// Random number streams, one per kind of record. Each kind draws from its
/// own stream, so its values do not depend on how many records of another
/// kind came before.
#[derive(Clone, Copy)]
pub(super) enum Stream {
    Customers = 1,
    Products = 2,
    Orders = 3,
}

pub(super) fn stream_rng(seed: u64, stream: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    rng
}

/// Returns the number of customers to seed with `orders` orders: one per
/// four orders, and at least one.
pub(super) fn customer_count(orders: u64) -> u64 {
    (orders / 4).max(1)
}

/// Returns the number of catalogue products to seed with `orders` orders.
pub(super) fn product_count(orders: u64) -> u64 {
    (orders / 20).clamp(10, 500)
}

/// The two years before the reference time, in whole seconds. Generated
/// timestamps are offsets in seconds from `start`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

impl Window {
    /// Returns the window that ends at `now` truncated to whole seconds, or
    /// `None` when its start would precede the earliest date chrono represents.
    pub fn before(now: NaiveDateTime) -> Option<Window> {
        let end = now.with_nanosecond(0)?;
        let start = end.checked_sub_signed(TimeDelta::days(WINDOW_DAYS))?;
        Some(Window { start, end })
    }

    pub fn at(&self, offset: u64) -> NaiveDateTime {
        self.start + TimeDelta::seconds(offset as i64)
    }

    /// Returns `time` plus `seconds`, but no later than the end.
    pub fn after(&self, time: NaiveDateTime, seconds: i64) -> NaiveDateTime {
        (time + TimeDelta::seconds(seconds)).min(self.end)
    }
}

/// Returns the offset at which slot `index` of `count` equal slots of the
/// window begins.
pub(super) fn slot_start(index: u64, count: u64) -> u64 {
    scale(index, WINDOW_SECONDS, count)
}

/// Returns a uniformly random offset inside slot `index` of `count`. Each
/// slot is at least as late as the previous one, so records numbered in
/// slot order are also in time order.
pub(super) fn random_offset_in_slot(rng: &mut ChaCha8Rng, index: u64, count: u64) -> u64 {
    let jitter = u128::from(rng.gen_range(0..WINDOW_SECONDS));
    let numerator = u128::from(index) * u128::from(WINDOW_SECONDS) + jitter;
    let offset = numerator / u128::from(count.max(1));
    u64::try_from(offset).unwrap_or(WINDOW_SECONDS - 1)
}

/// Returns the index of the last of `count` slots that has begun at
/// `offset`, which is the latest customer created by that time.
pub(super) fn last_slot_started(offset: u64, count: u64) -> u64 {
    scale(offset, count, WINDOW_SECONDS).min(count.saturating_sub(1))
}

/// Returns `value * numerator / denominator` rounded down, without overflow.
fn scale(value: u64, numerator: u64, denominator: u64) -> u64 {
    let product = u128::from(value) * u128::from(numerator);
    let quotient = product / u128::from(denominator.max(1));
    u64::try_from(quotient).unwrap_or(u64::MAX)
}

/// Replaces each `#` in `template` with a random decimal digit.
fn fill_template(rng: &mut ChaCha8Rng, template: &str) -> String {
    template
        .chars()
        .map(|c| match c {
            '#' => char::from(b'0' + rng.gen_range(0..10u8)),
            other => other,
        })
        .collect()
}

/// Returns a random element of a non-empty built-in list.
fn pick<T: Copy>(rng: &mut ChaCha8Rng, values: &[T]) -> T {
    values[rng.gen_range(0..values.len())]
}

/// A customer row without the ids the database assigns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NewCustomer {
    pub email: String,
    pub name: String,
    pub company: Option<&'static str>,
    pub phone: Option<String>,
    pub country: Option<&'static str>,
    pub city: Option<&'static str>,
    pub postal_code: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Yields `count` customers whose sign-up times spread evenly over the
/// window, so customer `i` is never created after customer `i + 1`.
pub(super) struct CustomerGenerator {
    rng: ChaCha8Rng,
    window: Window,
    count: u64,
    first_number: u64,
    next_index: u64,
}

impl CustomerGenerator {
    /// Starts a generator whose first email address carries `first_number`.
    pub fn new(seed: u64, window: Window, count: u64, first_number: u64) -> Self {
        CustomerGenerator {
            rng: stream_rng(seed, Stream::Customers),
            window,
            count,
            first_number,
            next_index: 0,
        }
    }

    fn customer(&mut self, index: u64) -> NewCustomer {
        let (first_display, first_ascii) = pick(&mut self.rng, FIRST_NAMES);
        let (last_display, last_ascii) = pick(&mut self.rng, LAST_NAMES);
        let number = self.first_number + index;
        let email = format!("{first_ascii}.{last_ascii}.{number}@{EMAIL_DOMAIN}");

        let company = self
            .rng
            .gen_bool(0.25)
            .then(|| pick(&mut self.rng, COMPANIES));
        let location = &LOCATIONS[self.rng.gen_range(0..LOCATIONS.len())];
        let phone = self
            .rng
            .gen_bool(0.85)
            .then(|| fill_template(&mut self.rng, location.phone));
        let has_address = self.rng.gen_bool(0.95);
        let postal_code = has_address.then(|| fill_template(&mut self.rng, location.postal_code));

        let created_at = self.window.at(slot_start(index, self.count));
        let edited_after = self.rng.gen_range(0..=180 * DAY_SECONDS);
        NewCustomer {
            email,
            name: format!("{first_display} {last_display}"),
            company,
            phone,
            country: has_address.then_some(location.country),
            city: has_address.then_some(location.city),
            postal_code,
            created_at,
            updated_at: self.window.after(created_at, edited_after),
        }
    }
}

impl Iterator for CustomerGenerator {
    type Item = NewCustomer;

    fn next(&mut self) -> Option<NewCustomer> {
        if self.next_index >= self.count {
            return None;
        }
        let customer = self.customer(self.next_index);
        self.next_index += 1;
        Some(customer)
    }
}

/// A catalogue product without the id the database assigns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NewProduct {
    pub sku: String,
    pub name: String,
    pub description: Option<String>,
    pub price_minor: i64,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Generates `count` products with SKUs numbered from `first_number`. The
/// products were listed up to a year before the window starts.
pub(super) fn catalogue(
    seed: u64,
    window: Window,
    count: u64,
    first_number: u64,
) -> Vec<NewProduct> {
    let mut rng = stream_rng(seed, Stream::Products);
    (0..count)
        .map(|index| product(&mut rng, window, first_number + index))
        .collect()
}

fn product(rng: &mut ChaCha8Rng, window: Window, number: u64) -> NewProduct {
    let adjective = pick(rng, PRODUCT_ADJECTIVES);
    let material = pick(rng, PRODUCT_MATERIALS);
    let noun = pick(rng, PRODUCT_NOUNS);
    let description = rng.gen_bool(0.7).then(|| {
        format!(
            "{material} {}, {} edition.",
            noun.to_lowercase(),
            adjective.to_lowercase()
        )
    });

    // Prices such as 12.99, 12.95 or 12.49 EUR.
    let euros = rng.gen_range(1..=150i64);
    let price_minor = euros * 100 - pick(rng, &[1i64, 5, 51]);

    let listed_before = rng.gen_range(0..=365 * DAY_SECONDS);
    let created_at = window
        .start
        .checked_sub_signed(TimeDelta::seconds(listed_before))
        .unwrap_or(window.start);
    let edited_after = rng.gen_range(0..=400 * DAY_SECONDS);
    NewProduct {
        sku: format!("SKU-{number:05}"),
        name: format!("{adjective} {material} {noun}"),
        description,
        price_minor,
        active: rng.gen_bool(0.9),
        created_at,
        updated_at: window.after(created_at, edited_after),
    }
}
