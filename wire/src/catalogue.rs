//! A show's catalogue: products and variants, their number rules, edits
//! during the show, and catalogue imports.

use serde::{Deserialize, Deserializer, Serialize};

/// One buyable combination of a product's options (say "M" / "Blue").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Variant {
    pub id: i64,
    /// One value per entry of the product's `option_names`, in the same order.
    pub options: Vec<String>,
    pub price_minor: i64,
    /// The struck-through "was" price, when the variant is on sale.
    pub compare_at_minor: Option<i64>,
    pub stock: i64,
}

/// A product of a show's catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Product {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub image_url: String,
    /// Names of the option dimensions, e.g. `["Size", "Colour"]`; empty for a single-variant product.
    pub option_names: Vec<String>,
    pub variants: Vec<Variant>,
    /// At most this many units per buyer, when the brand limits a drop.
    #[serde(default)]
    pub max_per_buyer: Option<u32>,
}

impl Product {
    /// The lowest price over all variants: what a card shows before a choice is made.
    pub fn from_price_minor(&self) -> Option<i64> {
        self.variants.iter().map(|v| v.price_minor).min()
    }

    /// The compare-at price that belongs to the cheapest variant, if that variant is on sale.
    pub fn from_compare_at_minor(&self) -> Option<i64> {
        self.variants
            .iter()
            .min_by_key(|v| v.price_minor)
            .and_then(|v| v.compare_at_minor)
            .filter(|&c| Some(c) > self.from_price_minor())
    }

    pub fn total_stock(&self) -> i64 {
        self.variants.iter().fold(0i64, |sum, v| sum.saturating_add(v.stock.max(0)))
    }
}

/// The kinds of catalogue file `POST /api/shows/{show}/import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CatalogueFormat {
    /// Shopify's `products.json` (`{"products": [...]}`).
    Shopify,
    /// A Google Merchant Center feed, tab-separated with a header row.
    Gmc,
}

/// `POST /api/shows/{show}/import` (creator): a catalogue file to add to the
/// show's products, in the show's currency. Check it first (`dry_run`): the
/// answer lists every product it would add and every bad row with its line
/// and reason. An import with bad rows adds nothing unless `skip_bad`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CatalogueImport {
    pub format: CatalogueFormat,
    /// The file's text (at most 8 MiB).
    pub source: String,
    /// Only check the file: report, write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Add the good products even though some rows are bad (those are left out).
    #[serde(default)]
    pub skip_bad: bool,
    /// Stock for items whose file says only "in stock" (10 when absent).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = 1_000_000_000)))]
    pub default_stock: Option<i64>,
    /// For a Shopify file: the store it came from (`brand.myshopify.com`). The
    /// show remembers it with each variant's Shopify id, so its cart can be
    /// handed over to that store's checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(max = 300)))]
    pub store: Option<String>,
}

/// A product a catalogue file holds (or added).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportedProduct {
    /// Where the product starts in the file (1-based).
    pub line: u64,
    pub title: String,
    pub variants: u64,
    /// Units over all its variants.
    pub stock: i64,
    /// Lowest variant price, minor units of the show's currency.
    pub price_from_minor: i64,
}

/// A row of a catalogue file that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportProblem {
    /// 1-based line in the file.
    pub line: u64,
    pub reason: String,
}

/// What a catalogue file holds, and whether it was added to the show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ImportReport {
    pub products: Vec<ImportedProduct>,
    /// Every bad row, in file order.
    pub problems: Vec<ImportProblem>,
    /// Whether `products` were added to the show (never on a dry run).
    pub imported: bool,
}

/// `PATCH /api/shows/{show}/variants/{variant}` (creator): a price or stock change
/// during the show. Absent fields stay as they are; `compare_at_minor: null` clears it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct VariantUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = 100_000_000_000i64)))]
    pub price_minor: Option<i64>,
    #[serde(default, deserialize_with = "present_or_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = 100_000_000_000i64)))]
    pub compare_at_minor: Option<Option<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0, max = 1_000_000_000i64)))]
    pub stock: Option<i64>,
}

/// The largest price (in minor units) and stock a variant may be given: far
/// beyond any real product, well inside what totals can add up without overflow.
pub const MAX_PRICE_MINOR: i64 = 100_000_000_000;
pub const MAX_STOCK: i64 = 1_000_000_000;

/// The most products one show may have: a catalogue that every viewer loads
/// with the show (and a run sheet a creator scrolls), so it stays a few hundred
/// kilobytes. An import beyond it is refused whole (`too_many_products`).
pub const MAX_PRODUCTS_PER_SHOW: i64 = 2_000;

/// The one rule for a variant's numbers, on every way in (an edit during the
/// show, a catalogue import): the first number that breaks it, as (field,
/// message), if any. `None` is a number not given.
pub fn variant_numbers_problem(
    price_minor: Option<i64>,
    compare_at_minor: Option<i64>,
    stock: Option<i64>,
) -> Option<(&'static str, &'static str)> {
    let numbers = [("price_minor", price_minor), ("compare_at_minor", compare_at_minor), ("stock", stock)];
    for (field, value) in numbers {
        let Some(value) = value else { continue };
        let max = if field == "stock" { MAX_STOCK } else { MAX_PRICE_MINOR };
        if value < 0 {
            return Some((field, "Prices and stock cannot be negative."));
        }
        if value > max {
            return Some((field, "That price or stock is larger than a variant may have."));
        }
    }
    None
}

/// Tells an absent field (`None`, via `default`) from an explicit `null` (`Some(None)`).
pub(crate) fn present_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}
