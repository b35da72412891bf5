//! Choosing a variant: a product has up to a few option dimensions (Size, Colour),
//! the viewer picks one value per dimension, and the pick names one variant.
//! Values that cannot combine with the rest of the pick, or only with sold-out
//! variants, are shown but disabled.

use vetrina_wire::{Product, Variant, MAX_LINE_QUANTITY};

/// One optional chosen value per option dimension, in the product's order.
pub type Selection = Vec<Option<String>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Available,
    SoldOut,
    /// No variant has this value together with the rest of the selection.
    Unavailable,
}

/// What to tell the viewer about stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockHint {
    SoldOut,
    /// Few enough left to say how many.
    Low(i64),
    InStock,
}

/// At or below this many units the overlay says "only N left".
pub const LOW_STOCK: i64 = 3;

pub fn stock_hint(stock: i64) -> StockHint {
    match stock {
        s if s <= 0 => StockHint::SoldOut,
        s if s <= LOW_STOCK => StockHint::Low(s),
        _ => StockHint::InStock,
    }
}

/// Distinct values of dimension `dim`, in catalogue order.
pub fn values(product: &Product, dim: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in &product.variants {
        if let Some(value) = v.options.get(dim) {
            if !out.contains(value) {
                out.push(value.clone());
            }
        }
    }
    out
}

/// The opening selection: every dimension with a single value is chosen already,
/// and if only one variant is in stock in a dimension-free product, it is chosen.
pub fn initial_selection(product: &Product) -> Selection {
    (0..product.option_names.len())
        .map(|dim| {
            let vals = values(product, dim);
            if vals.len() == 1 {
                vals.into_iter().next()
            } else {
                None
            }
        })
        .collect()
}

fn matches(variant: &Variant, selection: &Selection, skip: Option<usize>) -> bool {
    selection
        .iter()
        .enumerate()
        .all(|(dim, chosen)| Some(dim) == skip || chosen.as_ref().is_none_or(|c| variant.options.get(dim) == Some(c)))
}

/// How `value` in dimension `dim` stands given the rest of `selection`.
pub fn choice(product: &Product, selection: &Selection, dim: usize, value: &str) -> Choice {
    let mut any = false;
    for v in &product.variants {
        if v.options.get(dim).map(String::as_str) == Some(value) && matches(v, selection, Some(dim)) {
            any = true;
            if v.stock > 0 {
                return Choice::Available;
            }
        }
    }
    if any {
        Choice::SoldOut
    } else {
        Choice::Unavailable
    }
}

/// Picks `value` in `dim`, dropping any other choice it no longer combines with.
pub fn select(product: &Product, selection: &Selection, dim: usize, value: &str) -> Selection {
    let mut next = selection.clone();
    if let Some(slot) = next.get_mut(dim) {
        *slot = Some(value.to_string());
    }
    for other in 0..next.len() {
        if other == dim {
            continue;
        }
        let keeps = match &next[other] {
            Some(chosen) => choice(product, &next, other, chosen) != Choice::Unavailable,
            None => true,
        };
        if !keeps {
            next[other] = None;
        }
    }
    next
}

/// The variant the selection names, once every dimension is chosen.
pub fn selected_variant<'a>(product: &'a Product, selection: &Selection) -> Option<&'a Variant> {
    if product.option_names.is_empty() {
        return product.variants.first();
    }
    if selection.len() != product.option_names.len() || selection.iter().any(Option::is_none) {
        return None;
    }
    product.variants.iter().find(|v| matches(v, selection, None))
}

/// Index of the first dimension still to choose, to tell the viewer what is missing.
pub fn first_missing(selection: &Selection) -> Option<usize> {
    selection.iter().position(Option::is_none)
}

/// The most of `variant` one viewer can take in one go: what is in stock, the
/// product's per-buyer limit, and the per-line cap, whichever is least. The
/// server checks again (with what the cart already holds); this only keeps the
/// quantity picker from offering what would be refused anyway.
/// Before a variant is chosen, the best any variant allows.
pub fn max_quantity(product: &Product, variant: Option<&Variant>) -> u32 {
    let limit = product.max_per_buyer.unwrap_or(MAX_LINE_QUANTITY).min(MAX_LINE_QUANTITY);
    let stock = match variant {
        Some(v) => v.stock,
        None => product.variants.iter().map(|v| v.stock).max().unwrap_or(0),
    };
    limit.min(u32::try_from(stock.max(0)).unwrap_or(u32::MAX))
}

/// Keeps a picked quantity within `1..=max` (0 when nothing can be taken).
pub fn clamp_quantity(wanted: u32, max: u32) -> u32 {
    wanted.clamp(max.min(1), max)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn v(id: i64, opts: &[&str], stock: i64) -> Variant {
        Variant {
            id,
            options: opts.iter().map(|s| s.to_string()).collect(),
            price_minor: 1000,
            compare_at_minor: None,
            stock,
        }
    }

    fn shirt() -> Product {
        Product {
            id: 1,
            title: "Shirt".into(),
            description: String::new(),
            image_url: String::new(),
            option_names: vec!["Size".into(), "Colour".into()],
            max_per_buyer: None,
            variants: vec![
                v(1, &["S", "Sand"], 4),
                v(2, &["M", "Sand"], 0),
                v(3, &["S", "Navy"], 2),
                v(4, &["L", "Navy"], 1),
            ],
        }
    }

    fn sel(a: Option<&str>, b: Option<&str>) -> Selection {
        vec![a.map(str::to_string), b.map(str::to_string)]
    }

    #[test]
    fn values_in_catalogue_order() {
        assert_eq!(values(&shirt(), 0), ["S", "M", "L"]);
        assert_eq!(values(&shirt(), 1), ["Sand", "Navy"]);
    }

    #[test]
    fn choices_reflect_combinations_and_stock() {
        let p = shirt();
        let none = sel(None, None);
        assert_eq!(choice(&p, &none, 0, "M"), Choice::SoldOut);
        assert_eq!(choice(&p, &none, 0, "L"), Choice::Available);
        let sand = sel(None, Some("Sand"));
        assert_eq!(choice(&p, &sand, 0, "L"), Choice::Unavailable);
        assert_eq!(choice(&p, &sand, 0, "S"), Choice::Available);
        assert_eq!(choice(&p, &sand, 0, "M"), Choice::SoldOut);
    }

    #[test]
    fn selecting_drops_choices_that_no_longer_combine() {
        let p = shirt();
        let s = select(&p, &sel(None, Some("Sand")), 0, "L");
        assert_eq!(s, sel(Some("L"), None));
        let s = select(&p, &sel(Some("S"), None), 1, "Navy");
        assert_eq!(s, sel(Some("S"), Some("Navy")));
        assert_eq!(selected_variant(&p, &s).map(|v| v.id), Some(3));
    }

    #[test]
    fn incomplete_selection_names_no_variant() {
        let p = shirt();
        assert_eq!(selected_variant(&p, &sel(Some("S"), None)), None);
        assert_eq!(first_missing(&sel(Some("S"), None)), Some(1));
        assert_eq!(first_missing(&sel(Some("S"), Some("Sand"))), None);
    }

    #[test]
    fn single_value_dimensions_and_optionless_products_are_preselected() {
        let mut p = shirt();
        p.variants.retain(|v| v.options[1] == "Navy");
        assert_eq!(initial_selection(&p), sel(None, Some("Navy")));
        let mug = Product { option_names: vec![], variants: vec![v(9, &[], 5)], ..shirt() };
        assert_eq!(initial_selection(&mug), Vec::<Option<String>>::new());
        assert_eq!(selected_variant(&mug, &vec![]).map(|v| v.id), Some(9));
    }

    #[test]
    fn quantity_is_bounded_by_stock_limit_and_cap() {
        let p = shirt();
        assert_eq!(max_quantity(&p, Some(&v(1, &[], 4))), 4);
        assert_eq!(max_quantity(&p, Some(&v(1, &[], 500))), MAX_LINE_QUANTITY);
        assert_eq!(max_quantity(&p, Some(&v(1, &[], -1))), 0);
        assert_eq!(max_quantity(&p, None), 4, "the best-stocked variant");
        let tote = Product { max_per_buyer: Some(1), ..shirt() };
        assert_eq!(max_quantity(&tote, Some(&v(1, &[], 4))), 1);
        assert_eq!(max_quantity(&tote, None), 1);
        assert_eq!(clamp_quantity(3, 2), 2);
        assert_eq!(clamp_quantity(0, 2), 1);
        assert_eq!(clamp_quantity(1, 0), 0);
    }

    #[test]
    fn stock_hints() {
        assert_eq!(stock_hint(0), StockHint::SoldOut);
        assert_eq!(stock_hint(-2), StockHint::SoldOut);
        assert_eq!(stock_hint(3), StockHint::Low(3));
        assert_eq!(stock_hint(4), StockHint::InStock);
    }
}
