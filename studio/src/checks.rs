//! Pre-live checks: what would look broken on air, found before the show
//! goes live. Pure functions of the catalogue, tested natively.

use vetrina_wire::Product;

/// One thing to fix, about one product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub product_id: i64,
    pub title: String,
    pub problem: &'static str,
}

/// Everything that would look broken on a card or in its sheet, product by
/// product, in catalogue order.
pub fn prelive(products: &[Product]) -> Vec<Finding> {
    let mut found = Vec::new();
    for p in products {
        let mut flag = |problem| found.push(Finding { product_id: p.id, title: p.title.clone(), problem });
        if p.image_url.trim().is_empty() {
            flag("no image: its card would show an empty square");
        }
        if p.variants.is_empty() {
            flag("no variants: it cannot be bought");
        } else if p.variants.iter().all(|v| v.stock <= 0) {
            flag("no stock: its card would say sold out from the start");
        }
        if p.variants.iter().any(|v| v.price_minor == 0) {
            flag("a price of zero");
        }
        let wanted = p.option_names.len();
        if p.variants.iter().any(|v| v.options.len() != wanted || v.options.iter().any(|o| o.trim().is_empty())) {
            flag("a variant without a value for every option: viewers could not choose it");
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use vetrina_wire::Variant;

    fn product(id: i64, image: &str, options: &[&str], variants: &[(&[&str], i64, i64)]) -> Product {
        Product {
            id,
            title: format!("Product {id}"),
            description: String::new(),
            image_url: image.into(),
            option_names: options.iter().map(|s| s.to_string()).collect(),
            variants: variants
                .iter()
                .enumerate()
                .map(|(i, (values, price, stock))| Variant {
                    id: id * 10 + i as i64,
                    options: values.iter().map(|s| s.to_string()).collect(),
                    price_minor: *price,
                    compare_at_minor: None,
                    stock: *stock,
                })
                .collect(),
            max_per_buyer: None,
        }
    }

    #[test]
    fn a_good_catalogue_has_nothing_to_say() {
        let good = product(1, "/img.png", &["Size"], &[(&["S"], 4900, 3), (&["M"], 4900, 0)]);
        assert_eq!(prelive(&[good]), vec![]);
    }

    #[test]
    fn each_broken_look_is_named_once_per_product() {
        let products = [
            product(1, " ", &[], &[(&[], 100, 1)]),
            product(2, "/a.png", &["Size"], &[(&["S"], 100, 0), (&["M"], 100, 0)]),
            product(3, "/a.png", &[], &[(&[], 0, 5)]),
            product(4, "/a.png", &["Size", "Colour"], &[(&["S", ""], 100, 1), (&["M"], 100, 1)]),
            product(5, "/a.png", &[], &[]),
        ];
        let found: Vec<(i64, &str)> = prelive(&products).iter().map(|f| (f.product_id, f.problem)).collect();
        assert_eq!(
            found,
            vec![
                (1, "no image: its card would show an empty square"),
                (2, "no stock: its card would say sold out from the start"),
                (3, "a price of zero"),
                (4, "a variant without a value for every option: viewers could not choose it"),
                (5, "no variants: it cannot be bought"),
            ]
        );
    }
}
