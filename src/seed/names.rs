//! Built-in word lists for generated people, places and products.
//!
//! Names come in pairs of the display form and its lowercase ASCII form,
//! which email addresses use, so the folding of letters such as "ø" or "ñ"
//! is written out here rather than guessed at run time.

/// First names as `(display, ascii)`.
pub(super) const FIRST_NAMES: &[(&str, &str)] = &[
    ("Anna", "anna"),
    ("Ben", "ben"),
    ("Chloé", "chloe"),
    ("David", "david"),
    ("Elena", "elena"),
    ("François", "francois"),
    ("Grace", "grace"),
    ("Hannah", "hannah"),
    ("Ingrid", "ingrid"),
    ("José", "jose"),
    ("Kenji", "kenji"),
    ("Lucía", "lucia"),
    ("Marek", "marek"),
    ("Nora", "nora"),
    ("Oliver", "oliver"),
    ("Priya", "priya"),
    ("Rafael", "rafael"),
    ("Søren", "soren"),
    ("Thomas", "thomas"),
    ("Zoë", "zoe"),
];

/// Last names as `(display, ascii)`.
pub(super) const LAST_NAMES: &[(&str, &str)] = &[
    ("Andersson", "andersson"),
    ("Brontë", "bronte"),
    ("Dvořák", "dvorak"),
    ("García", "garcia"),
    ("Jansen", "jansen"),
    ("Kierkegaard", "kierkegaard"),
    ("Kowalski", "kowalski"),
    ("Müller", "mueller"),
    ("Nakamura", "nakamura"),
    ("Núñez", "nunez"),
    ("O'Brien", "obrien"),
    ("Patel", "patel"),
    ("Rossi", "rossi"),
    ("Smith", "smith"),
    ("Virtanen", "virtanen"),
    ("Łukasiewicz", "lukasiewicz"),
];

/// Fictional company names, used for the share of customers that buy on
/// behalf of a business.
pub(super) const COMPANIES: &[&str] = &[
    "Acme Ltd",
    "Globex GmbH",
    "Initech SARL",
    "Umbrella BV",
    "Nordisk Design ApS",
    "Café Crème SAS",
    "Müller & Söhne KG",
    "Hooli Inc.",
    "Tanaka Trading K.K.",
    "Vandelay Industries",
];

/// A city with the formats of its postal codes and phone numbers. In the
/// templates, each `#` becomes a random decimal digit.
pub(super) struct Location {
    /// ISO 3166-1 alpha-2 country code.
    pub country: &'static str,
    pub city: &'static str,
    pub postal_code: &'static str,
    /// National format, so most numbers begin with the trunk prefix 0.
    pub phone: &'static str,
}

const fn location(
    country: &'static str,
    city: &'static str,
    postal_code: &'static str,
    phone: &'static str,
) -> Location {
    Location {
        country,
        city,
        postal_code,
        phone,
    }
}

pub(super) const LOCATIONS: &[Location] = &[
    location("DE", "Berlin", "10###", "030 ### ####"),
    location("DE", "Dresden", "010##", "0351 ### ####"),
    location("DE", "München", "80###", "089 ### ####"),
    location("FR", "Lyon", "6900#", "04 ## ## ## ##"),
    location("FR", "Bourg-en-Bresse", "010##", "04 ## ## ## ##"),
    location("IT", "Roma", "001##", "06 #### ####"),
    location("ES", "Barcelona", "080##", "93 ### ## ##"),
    location("GB", "London", "SW1A #AA", "020 7946 0###"),
    location("NL", "Amsterdam", "10## AB", "020 ### ####"),
    location("FI", "Helsinki", "00###", "09 ### ####"),
    location("SE", "Stockholm", "1## ##", "08-### ### ##"),
    location("DK", "København", "1###", "## ## ## ##"),
    location("CH", "Zürich", "80##", "044 ### ## ##"),
    location("PL", "Kraków", "30-###", "12 ### ## ##"),
    location("PT", "Lisboa", "1###-###", "21 ### ####"),
    location("US", "Boston", "021##", "(617) 555-0###"),
    location("JP", "Tokyo", "100-####", "03-####-####"),
    location("BR", "São Paulo", "01###-###", "011 ####-####"),
];

/// Words combined into product names such as "Compact Oak Desk Lamp".
pub(super) const PRODUCT_ADJECTIVES: &[&str] = &[
    "Classic",
    "Compact",
    "Deluxe",
    "Ergonomic",
    "Foldable",
    "Handmade",
    "Portable",
    "Vintage",
];

pub(super) const PRODUCT_MATERIALS: &[&str] = &[
    "Bamboo", "Ceramic", "Cotton", "Glass", "Leather", "Linen", "Oak", "Steel", "Wool",
];

pub(super) const PRODUCT_NOUNS: &[&str] = &[
    "Backpack",
    "Blanket",
    "Chair",
    "Cutting Board",
    "Desk Lamp",
    "Mug",
    "Notebook",
    "Plant Pot",
    "Tea Kettle",
    "Water Bottle",
];

/// Order statuses with relative weights: most orders of the last two years
/// are complete, and a few are open, cancelled or refunded.
pub(super) const STATUS_WEIGHTS: &[(&str, u32)] = &[
    ("delivered", 55),
    ("shipped", 15),
    ("paid", 12),
    ("pending", 8),
    ("cancelled", 6),
    ("refunded", 4),
];

/// Payment methods with relative weights.
pub(super) const PAYMENT_METHOD_WEIGHTS: &[(&str, u32)] =
    &[("card", 70), ("paypal", 20), ("bank_transfer", 10)];
