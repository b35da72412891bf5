//! Catalogue import: a show's products from a Shopify `products.json` export or
//! a Google Merchant Center product feed (tab-separated).
//!
//! Every problem is reported with its line and reason; nothing is skipped in
//! silence. By default one bad row stops the import before anything is
//! written; `--skip-bad` imports the good rows and lists the rest.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::value::RawValue;
use vetrina_wire::{
    parse_major, CatalogueFormat, CatalogueImport, ImportProblem, ImportReport, ImportedProduct, MAX_PRODUCTS_PER_SHOW,
    MAX_STOCK,
};

use crate::http::auth::Creator;
use crate::http::error::{ApiError, ApiPath, Valid};
use crate::state::AppState;
use crate::store;

/// Stock for items whose file says only "in stock".
pub const DEFAULT_STOCK: i64 = 10;

/// `POST /api/shows/{show}/import` (creator): checks a catalogue file and,
/// unless it is a dry run, adds its products to the show in one transaction.
/// Nothing is pinned and no event is sent: an overlay that sees a pin of a
/// product it does not know reads the catalogue again.
pub async fn upload(
    State(state): State<AppState>,
    _creator: Creator,
    ApiPath(show_id): ApiPath<String>,
    Valid(req): Valid<CatalogueImport>,
) -> Result<Json<ImportReport>, ApiError> {
    let default_stock = req.default_stock.unwrap_or(DEFAULT_STOCK);
    // Checked already (`Validate for CatalogueImport`): a host name, and only with a Shopify file.
    let shopify_store = req.store.as_deref().and_then(|typed| vetrina_wire::store_host(typed).ok());
    let currency = crate::live::shows::load_show(&mut *state.db.acquire().await?, &show_id).await?.currency;
    let parsed = parse(req.format, &req.source, &currency, default_stock)
        .map_err(|e| ApiError::unprocessable("invalid_file", format!("This file cannot be read: {e}.")))?;
    let report = |imported| ImportReport {
        products: parsed.products.iter().map(summary).collect(),
        problems: parsed
            .errors
            .iter()
            .map(|e| ImportProblem { line: e.line as u64, reason: e.reason.clone() })
            .collect(),
        imported,
    };
    let has = store::catalogue::count(&mut *state.db.acquire().await?, &show_id).await?;
    let adding = i64::try_from(parsed.products.len()).unwrap_or(i64::MAX);
    if has.saturating_add(adding) > MAX_PRODUCTS_PER_SHOW {
        return Err(ApiError::unprocessable(
            "too_many_products",
            format!(
                "A show has at most {MAX_PRODUCTS_PER_SHOW} products: this one has {has}, and the file adds {adding}. \
                 Nothing was imported; split the catalogue over several shows."
            ),
        ));
    }
    if req.dry_run {
        return Ok(Json(report(false)));
    }
    if !parsed.errors.is_empty() && !req.skip_bad {
        let first = &parsed.errors[0];
        return Err(ApiError::unprocessable(
            "bad_rows",
            format!(
                "{} row(s) cannot be imported (the first, {first}); nothing was imported. Check the file to see \
                 them all, or import the good products only (skip_bad).",
                parsed.errors.len()
            ),
        ));
    }
    if parsed.products.is_empty() {
        return Err(ApiError::unprocessable("nothing_to_import", "The file has no product that can be imported."));
    }
    insert(&state.writer, &show_id, &parsed.products, shopify_store.as_deref()).await?;
    tracing::info!(show = %show_id, products = parsed.products.len(), skipped = parsed.errors.len(), "catalogue imported");
    Ok(Json(report(true)))
}

/// Reads a catalogue file of either format.
pub fn parse(format: CatalogueFormat, source: &str, currency: &str, default_stock: i64) -> Result<Parsed, RowError> {
    match format {
        CatalogueFormat::Shopify => parse_shopify(source, currency, default_stock),
        CatalogueFormat::Gmc => parse_gmc(source, currency, default_stock),
    }
}

fn summary(p: &NewProduct) -> ImportedProduct {
    ImportedProduct {
        line: p.line as u64,
        title: p.title.clone(),
        variants: p.variants.len() as u64,
        // Each is at most MAX_STOCK; saturating all the same, as every sum of ours.
        stock: p.variants.iter().fold(0i64, |sum, v| sum.saturating_add(v.stock)),
        price_from_minor: p.variants.iter().map(|v| v.price_minor).min().unwrap_or(0),
    }
}

/// A product ready to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProduct {
    pub title: String,
    pub description: String,
    pub image_url: String,
    pub option_names: Vec<String>,
    pub variants: Vec<NewVariant>,
    /// Line in the source where the product starts.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewVariant {
    pub options: Vec<String>,
    pub price_minor: i64,
    pub compare_at_minor: Option<i64>,
    pub stock: i64,
    /// Its id on the Shopify store the file came from.
    pub shopify_id: Option<i64>,
}

impl NewVariant {
    /// The caps an edit of a variant keeps (`vetrina_wire::variant_numbers_problem`).
    fn check(&self) -> Result<(), String> {
        match vetrina_wire::variant_numbers_problem(Some(self.price_minor), self.compare_at_minor, Some(self.stock)) {
            Some(_) => Err(format!(
                "price or stock out of range (a price is at most {} in minor units, stock at most {MAX_STOCK})",
                vetrina_wire::MAX_PRICE_MINOR
            )),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

pub struct Parsed {
    pub products: Vec<NewProduct>,
    pub errors: Vec<RowError>,
}

fn line_of(source: &str, part: &str) -> usize {
    let offset = (part.as_ptr() as usize).saturating_sub(source.as_ptr() as usize).min(source.len());
    source[..offset].matches('\n').count() + 1
}

#[derive(Deserialize)]
struct ShopifyFile<'a> {
    #[serde(borrow)]
    products: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct ShopifyProduct {
    title: String,
    #[serde(default)]
    body_html: Option<String>,
    #[serde(default)]
    options: Vec<ShopifyOption>,
    variants: Vec<ShopifyVariant>,
    #[serde(default)]
    images: Vec<ShopifyImage>,
}

#[derive(Deserialize)]
struct ShopifyOption {
    name: String,
}

#[derive(Deserialize)]
struct ShopifyVariant {
    /// The store's id for it: what its cart permalink names.
    #[serde(default)]
    id: Option<i64>,
    price: serde_json::Value,
    #[serde(default)]
    compare_at_price: Option<serde_json::Value>,
    #[serde(default)]
    option1: Option<String>,
    #[serde(default)]
    option2: Option<String>,
    #[serde(default)]
    option3: Option<String>,
    #[serde(default)]
    inventory_quantity: Option<i64>,
    #[serde(default)]
    available: Option<bool>,
}

#[derive(Deserialize)]
struct ShopifyImage {
    src: String,
}

/// Shopify prices are strings ("49.00") in exports and sometimes numbers.
fn shopify_amount(v: &serde_json::Value, currency: &str) -> Result<i64, String> {
    match v {
        serde_json::Value::String(s) => amount(s, currency),
        serde_json::Value::Number(n) => amount(&n.to_string(), currency),
        other => Err(format!("price {other} is not an amount")),
    }
}

/// Parses a Shopify `products.json` (`{"products": [...]}`) in `currency`.
/// Variants without `inventory_quantity` take `default_stock` when `available`.
pub fn parse_shopify(source: &str, currency: &str, default_stock: i64) -> Result<Parsed, RowError> {
    let file: ShopifyFile = serde_json::from_str(source)
        .map_err(|e| RowError { line: e.line(), reason: format!("not a Shopify products.json: {e}") })?;
    let mut parsed = Parsed { products: Vec::new(), errors: Vec::new() };
    for raw in file.products {
        let line = line_of(source, raw.get());
        match shopify_product(raw, currency, default_stock, line) {
            Ok(p) => parsed.products.push(p),
            Err(reason) => parsed.errors.push(RowError { line, reason }),
        }
    }
    Ok(parsed)
}

fn shopify_product(raw: &RawValue, currency: &str, default_stock: i64, line: usize) -> Result<NewProduct, String> {
    let p: ShopifyProduct = serde_json::from_str(raw.get()).map_err(|e| format!("product: {e}"))?;
    let title = p.title.trim().to_string();
    if title.is_empty() {
        return Err("product has no title".into());
    }
    if p.variants.is_empty() {
        return Err(format!("'{title}' has no variants"));
    }
    // Shopify gives single-variant products a "Title" option with value "Default Title".
    let option_names: Vec<String> = p
        .options
        .iter()
        .map(|o| o.name.trim().to_string())
        .filter(|n| !(n == "Title" && p.variants.len() == 1))
        .collect();
    let mut variants = Vec::new();
    for (i, v) in p.variants.iter().enumerate() {
        let which = format!("'{title}' variant {}", i + 1);
        let price_minor = shopify_amount(&v.price, currency).map_err(|e| format!("{which}: {e}"))?;
        let compare_at_minor = match &v.compare_at_price {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
            Some(c) => Some(shopify_amount(c, currency).map_err(|e| format!("{which}: compare-at {e}"))?),
        };
        let stock = match (v.inventory_quantity, v.available) {
            (Some(q), _) => q.max(0),
            (None, Some(false)) => 0,
            (None, _) => default_stock,
        };
        let options: Vec<String> = [&v.option1, &v.option2, &v.option3]
            .into_iter()
            .take(option_names.len())
            .map(|o| o.clone().unwrap_or_default().trim().to_string())
            .collect();
        if options.iter().any(String::is_empty) {
            return Err(format!("{which} lacks a value for one of {}", option_names.join(", ")));
        }
        let variant =
            NewVariant { options, price_minor, compare_at_minor, stock, shopify_id: v.id.filter(|id| *id > 0) };
        variant.check().map_err(|e| format!("{which}: {e}"))?;
        variants.push(variant);
    }
    let image_url = p.images.first().map(|i| i.src.trim().to_string()).unwrap_or_default();
    check_image(&image_url).map_err(|e| format!("'{title}': {e}"))?;
    Ok(NewProduct {
        title,
        description: p.body_html.as_deref().map(strip_html).unwrap_or_default(),
        image_url,
        option_names,
        variants,
        line,
    })
}

/// A product picture is an http(s) URL or a path on this server (or none):
/// never `javascript:`, `data:` or another scheme a page might act on.
fn check_image(url: &str) -> Result<(), String> {
    let lower = url.to_ascii_lowercase();
    let path = url.starts_with('/') && !url.starts_with("//") && !url.starts_with("/\\");
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    let odd = url.chars().any(|c| c.is_whitespace() || c.is_control()) || url.len() > 2000;
    if url.is_empty() || ((path || web) && !odd) {
        Ok(())
    } else {
        Err("the image is not an http(s) URL".into())
    }
}

/// Good enough for product blurbs: drops tags, decodes the common entities.
fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses a Merchant Center feed (TSV with a header row). Each row is a variant;
/// rows sharing `item_group_id` form one product with `size` and `color` options.
/// `quantity` (a custom column) gives stock; otherwise `availability` decides
/// between `default_stock` and 0.
pub fn parse_gmc(source: &str, currency: &str, default_stock: i64) -> Result<Parsed, RowError> {
    let mut lines = source.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(RowError { line: 1, reason: "the feed is empty".into() });
    };
    let columns: Vec<String> =
        header.split('\t').map(|c| c.trim().trim_start_matches('\u{feff}').to_lowercase()).collect();
    let col = |name: &str| columns.iter().position(|c| c == name);
    for required in ["id", "title", "price"] {
        if col(required).is_none() {
            return Err(RowError { line: 1, reason: format!("the header has no '{required}' column") });
        }
    }
    struct Row {
        line: usize,
        group: String,
        title: String,
        description: String,
        image: String,
        size: String,
        color: String,
        variant: NewVariant,
    }
    let mut parsed = Parsed { products: Vec::new(), errors: Vec::new() };
    let mut groups: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (index, text) in lines {
        let line = index + 1;
        let cells: Vec<&str> = text.split('\t').collect();
        let get = |name: &str| col(name).and_then(|i| cells.get(i)).map(|s| s.trim()).unwrap_or("");
        let row = (|| -> Result<Row, String> {
            if cells.len() != columns.len() {
                return Err(format!("{} cells where the header has {}", cells.len(), columns.len()));
            }
            let id = get("id");
            if id.is_empty() {
                return Err("no id".into());
            }
            let title = get("title");
            if title.is_empty() {
                return Err(format!("item {id} has no title"));
            }
            let price = gmc_price(get("price"), currency).map_err(|e| format!("item {id}: price {e}"))?;
            let sale = match get("sale_price") {
                "" => None,
                s => Some(gmc_price(s, currency).map_err(|e| format!("item {id}: sale_price {e}"))?),
            };
            let stock = match get("quantity") {
                "" => match get("availability").to_lowercase().replace(' ', "_").as_str() {
                    "" | "in_stock" | "preorder" | "backorder" => default_stock,
                    "out_of_stock" => 0,
                    other => return Err(format!("item {id}: unknown availability '{other}'")),
                },
                q => q
                    .parse::<i64>()
                    .ok()
                    .filter(|q| *q >= 0)
                    .ok_or(format!("item {id}: quantity '{q}' is not a whole number"))?,
            };
            let (price_minor, compare_at_minor) = match sale {
                Some(sale) if sale < price => (sale, Some(price)),
                Some(_) => return Err(format!("item {id}: sale_price is not below price")),
                None => (price, None),
            };
            NewVariant { options: Vec::new(), price_minor, compare_at_minor, stock, shopify_id: None }
                .check()
                .map_err(|e| format!("item {id}: {e}"))?;
            check_image(get("image_link")).map_err(|e| format!("item {id}: {e}"))?;
            let group = match get("item_group_id") {
                "" => id.to_string(),
                g => g.to_string(),
            };
            Ok(Row {
                line,
                group,
                title: title.to_string(),
                description: get("description").to_string(),
                image: get("image_link").to_string(),
                size: get("size").to_string(),
                color: get("color").to_string(),
                variant: NewVariant { options: Vec::new(), price_minor, compare_at_minor, stock, shopify_id: None },
            })
        })();
        match row {
            Ok(row) => {
                if !groups.contains_key(&row.group) {
                    order.push(row.group.clone());
                }
                groups.entry(row.group.clone()).or_default().push(row);
            }
            Err(reason) => parsed.errors.push(RowError { line, reason }),
        }
    }
    for group in order {
        let rows = groups.remove(&group).unwrap_or_default();
        let Some(first) = rows.first() else { continue };
        let has_size = rows.iter().any(|r| !r.size.is_empty());
        let has_color = rows.iter().any(|r| !r.color.is_empty());
        let mut option_names = Vec::new();
        if has_size {
            option_names.push("Size".to_string());
        }
        if has_color {
            option_names.push("Colour".to_string());
        }
        let mut product = NewProduct {
            title: first.title.clone(),
            description: first.description.clone(),
            image_url: first.image.clone(),
            option_names,
            variants: Vec::new(),
            line: first.line,
        };
        let mut bad = None;
        for r in &rows {
            let mut options = Vec::new();
            if has_size {
                options.push(r.size.clone());
            }
            if has_color {
                options.push(r.color.clone());
            }
            if options.iter().any(String::is_empty) {
                bad = Some(RowError {
                    line: r.line,
                    reason: format!("'{}' in group {group} lacks a size or colour its siblings have", r.title),
                });
                break;
            }
            if product.variants.iter().any(|v: &NewVariant| v.options == options) {
                bad = Some(RowError {
                    line: r.line,
                    reason: format!("group {group} has two items with options {}", options.join("/")),
                });
                break;
            }
            product.variants.push(NewVariant { options, ..r.variant.clone() });
        }
        match bad {
            Some(e) => parsed.errors.push(e),
            None => parsed.products.push(product),
        }
    }
    parsed.errors.sort_by_key(|e| e.line);
    Ok(parsed)
}

/// "49.00 EUR" (Merchant Center's format), in the show's currency only.
fn gmc_price(text: &str, currency: &str) -> Result<i64, String> {
    let mut parts = text.split_whitespace();
    let (Some(amount), Some(code), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!("'{text}' is not like '49.00 {currency}'"));
    };
    if !code.eq_ignore_ascii_case(currency) {
        return Err(format!("is in {code}, but the show sells in {currency}"));
    }
    self::amount(amount, currency)
}

/// A decimal amount in a file, by the one rule ([`parse_major`]), its error
/// naming the text.
fn amount(text: &str, currency: &str) -> Result<i64, String> {
    parse_major(text, currency).map_err(|e| format!("'{text}': {e}"))
}

/// Appends the products to the show, in one transaction.
/// With `shopify_store`, the show remembers the store the file came from.
pub async fn insert(
    db: &store::Pool,
    show_id: &str,
    products: &[NewProduct],
    shopify_store: Option<&str>,
) -> Result<(), store::Error> {
    let rows: Vec<store::catalogue::NewProduct> = products
        .iter()
        .map(|p| store::catalogue::NewProduct {
            title: &p.title,
            description: &p.description,
            image_url: &p.image_url,
            option_names: &p.option_names,
            max_per_buyer: None,
            variants: p
                .variants
                .iter()
                .map(|v| store::catalogue::NewVariant {
                    options: &v.options,
                    price_minor: v.price_minor,
                    compare_at_minor: v.compare_at_minor,
                    stock: v.stock,
                    shopify_variant_id: v.shopify_id,
                })
                .collect(),
        })
        .collect();
    let mut tx = store::begin_write(db).await?;
    store::catalogue::append(&mut tx, show_id, &rows).await?;
    if let Some(host) = shopify_store {
        store::shows::set_shopify_store(&mut tx, show_id, host).await?;
    }
    tx.commit().await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SHOPIFY: &str = r#"{
  "products": [
    {
      "title": "Linen Shirt",
      "body_html": "<p>Washed &amp; soft.</p>",
      "options": [{"name": "Size"}, {"name": "Color"}],
      "variants": [
        {"price": "49.00", "compare_at_price": "69.00", "option1": "S", "option2": "Sand", "inventory_quantity": 3},
        {"price": "49.00", "compare_at_price": null, "option1": "M", "option2": "Sand", "available": false}
      ],
      "images": [{"src": "https://cdn.example/shirt.jpg"}]
    },
    {
      "title": "Mug",
      "options": [{"name": "Title"}],
      "variants": [{"price": "18", "option1": "Default Title"}]
    },
    {
      "title": "Broken",
      "options": [{"name": "Size"}],
      "variants": [{"price": "12.345", "option1": "S"}]
    },
    {
      "title": "",
      "variants": []
    }
  ]
}"#;

    #[test]
    fn shopify_products_with_lines_for_bad_ones() {
        let parsed = parse_shopify(SHOPIFY, "EUR", 5).unwrap();
        assert_eq!(parsed.products.len(), 2);
        let shirt = &parsed.products[0];
        assert_eq!(shirt.line, 3);
        assert_eq!(shirt.description, "Washed & soft.");
        assert_eq!(shirt.option_names, ["Size", "Color"]);
        assert_eq!(
            shirt.variants[0],
            NewVariant {
                options: vec!["S".into(), "Sand".into()],
                price_minor: 4900,
                compare_at_minor: Some(6900),
                stock: 3,
                shopify_id: None,
            }
        );
        assert_eq!(shirt.variants[1].stock, 0);
        let mug = &parsed.products[1];
        assert!(mug.option_names.is_empty());
        assert_eq!(mug.variants[0].stock, 5);
        assert_eq!(mug.variants[0].price_minor, 1800);
        let errors: Vec<String> = parsed.errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("line 18: 'Broken' variant 1:"), "{errors:?}");
        assert!(errors[0].contains("decimals at most"), "{errors:?}");
        assert_eq!(errors[1], "line 23: product has no title");
    }

    #[test]
    fn shopify_file_that_is_not_json_names_its_line() {
        let e = parse_shopify("{\n\"products\": [\n oops", "EUR", 5).err().unwrap();
        assert_eq!(e.line, 3);
    }

    const GMC: &str =
        "id\ttitle\tdescription\tprice\tsale_price\tavailability\timage_link\titem_group_id\tsize\tcolor\tquantity
T1\tTee\tCotton tee\t25.00 EUR\t\tin stock\thttps://cdn.example/t.jpg\tTEE\tS\tWhite\t4
T2\tTee\tCotton tee\t25.00 EUR\t19.00 EUR\tin stock\thttps://cdn.example/t.jpg\tTEE\tM\tWhite\t
T3\tTee\tCotton tee\t25.00 EUR\t\tout of stock\thttps://cdn.example/t.jpg\tTEE\tL\tWhite\t
C1\tCap\tA cap\t15.00 USD\t\tin stock\t\t\t\t\t
B1\tBag\tA bag\t99.00 EUR\t\tin stock\t\t\t\t\t2
X1\t\tNo title\t10.00 EUR\t\tin stock\t\t\t\t\t
Y1\tShort row
";

    #[test]
    fn gmc_feed_groups_variants_and_reports_bad_rows() {
        let parsed = parse_gmc(GMC, "EUR", 7).unwrap();
        assert_eq!(parsed.products.len(), 2, "{:?}", parsed.errors);
        let tee = &parsed.products[0];
        assert_eq!(tee.title, "Tee");
        assert_eq!(tee.option_names, ["Size", "Colour"]);
        assert_eq!(tee.variants.len(), 3);
        assert_eq!(tee.variants[0].stock, 4);
        assert_eq!(
            (tee.variants[1].price_minor, tee.variants[1].compare_at_minor, tee.variants[1].stock),
            (1900, Some(2500), 7)
        );
        assert_eq!(tee.variants[2].stock, 0);
        let bag = &parsed.products[1];
        assert!(bag.option_names.is_empty());
        assert_eq!(bag.variants[0].stock, 2);
        let errors: Vec<String> = parsed.errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("line 5: item C1: price is in USD"), "{errors:?}");
        assert_eq!(errors[1], "line 7: item X1 has no title");
        assert!(errors[2].starts_with("line 8: 2 cells"), "{errors:?}");
    }

    #[test]
    fn gmc_header_must_have_the_basics() {
        assert_eq!(parse_gmc("id\tname\n1\tx\n", "EUR", 1).err().unwrap().reason, "the header has no 'title' column");
        assert!(parse_gmc("", "EUR", 1).is_err());
    }
}
