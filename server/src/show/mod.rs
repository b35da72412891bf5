//! A show and what its creator runs: the show itself and its settings, its
//! catalogue (products, variants, imports), the creator's session and
//! figures, the run sheet, and flash drops.
//!
//! Handlers here extract and answer; the rules they apply are in the
//! functions beside them; every query is in [`crate::store`].

pub mod catalogue;
pub mod creator;
pub mod import;
pub mod offers;
pub mod run_sheet;

/// The show's endpoints (see [`crate::endpoints`]).
pub fn endpoints() -> Vec<crate::http::endpoint::Endpoint> {
    use crate::http::endpoint::{Access, Endpoint};
    use crate::http::idempotency;
    use crate::http::openapi::schema as s;
    use axum::http::Method;
    use serde_json::json;
    use vetrina_wire as w;
    vec![
        Endpoint {
            method: Method::POST,
            path: "/shows",
            summary: "Create a show (scheduled, no products yet); answers its creator token, shown this once",
            access: Access::Operator,
            request: Some(s::<w::NewShowRequest>),
            success: (201, "The show and its creator token", Some(s::<w::CreatedShow>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong operator token, or this server takes none"),
                (409, "A show with this id exists (show_exists)"),
                (422, "A field breaks its rules (invalid_fields, naming it)"),
            ],
            example: Some(json!({"id": "autumn-edit", "title": "Autumn Edit", "currency": "EUR", "locale": "it-IT"})),
            handler: axum::routing::post(catalogue::create),
            ..Default::default()
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}",
            summary: "Snapshot of a show: the show, its products, what is pinned now and the last event id",
            access: Access::Public,
            success: (200, "The show's current state", Some(s::<w::ShowSnapshot>)),
            errors: &[(404, "No such show")],
            links: Some(json!({
                "CreateCart": {"operationId": "post_carts", "requestBody": {"show_id": "$response.body#/show/id"}},
                "Events": {"operationId": "get_shows_show_events", "parameters": {"show": "$response.body#/show/id"}},
                "Timeline": {"operationId": "get_shows_show_timeline", "parameters": {"show": "$response.body#/show/id"}},
            })),
            handler: axum::routing::get(catalogue::snapshot),
            ..Default::default()
        },
        Endpoint {
            method: Method::PATCH,
            path: "/shows/{show}",
            summary: "Show control and settings: go live or end the show (emits a show_status event); change its \
                      title, stream URL, locale, schedule, currency (while it has no orders), shipping policy or \
                      theme tokens (for viewers who open it from then on)",
            access: Access::Creator,
            request: Some(s::<w::ShowUpdate>),
            success: (200, "The updated show", Some(s::<w::Show>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token"),
                (404, "No such show"),
                (409, "A new currency for a show that has orders (currency_locked)"),
                (422, "A setting breaks its rules (invalid_fields, naming the field)"),
            ],
            example: Some(json!({"status": "live"})),
            handler: axum::routing::patch(catalogue::update_show),
            ..Default::default()
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/creator",
            summary: "The creator's session: whether this creator token works for the show, and until when \
                      (how the studio signs in)",
            access: Access::Creator,
            success: (200, "The token works", Some(s::<w::CreatorSession>)),
            errors: &[(401, "Missing or wrong creator token (unauthorized), or an expired one (token_expired)")],
            handler: axum::routing::get(creator::session),
            ..Default::default()
        },
        Endpoint {
            method: Method::POST,
            path: "/shows/{show}/creator-token",
            summary: "Replace the show's creator token: the new one is in the answer, and the old one stops \
                      working at once",
            access: Access::Creator,
            success: (200, "The new token", Some(s::<w::CreatorToken>)),
            errors: &[(401, "Missing or wrong creator token (unauthorized), or an expired one (token_expired)")],
            handler: axum::routing::post(creator::rotate),
            ..Default::default()
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/stats",
            summary: "The show's numbers now: event streams open (viewers, previews, studios), paid orders and \
                      revenue, and per product orders, units and revenue",
            access: Access::Creator,
            success: (200, "The show's numbers", Some(s::<w::ShowStats>)),
            errors: &[(401, "Missing or wrong creator token (unauthorized), or an expired one (token_expired)")],
            handler: axum::routing::get(creator::stats),
            ..Default::default()
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/orders",
            summary: "The show's latest 50 orders, newest first: number, time, payment status, buyer, units, total, \
                      and when the confirmation was sent",
            access: Access::Creator,
            success: (200, "The latest orders", Some(s::<Vec<w::ShowOrder>>)),
            errors: &[(401, "Missing or wrong creator token (unauthorized), or an expired one (token_expired)")],
            handler: axum::routing::get(creator::orders),
            ..Default::default()
        },
        Endpoint {
            method: Method::PATCH,
            path: "/shows/{show}/variants/{variant}",
            summary: "Change a variant's price or stock during the show (emits price and stock events)",
            access: Access::Creator,
            request: Some(s::<w::VariantUpdate>),
            success: (200, "The updated variant", Some(s::<w::Variant>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token"),
                (404, "No such variant in this show"),
                (422, "Negative price or stock, or over the largest a variant may have (invalid_fields, naming it)"),
            ],
            example: Some(json!({"price_minor": 4900, "stock": 10})),
            handler: axum::routing::patch(catalogue::update_variant),
            ..Default::default()
        },
        Endpoint {
            method: Method::POST,
            path: "/shows/{show}/taps",
            summary: "A viewer tapped a product's card (the overlay reports it; only the creator's figures use it)",
            access: Access::Public,
            request: Some(s::<w::Tap>),
            success: (204, "Counted", None),
            errors: &[
                (400, "Malformed body"),
                (404, "No such product in this show"),
                (429, "Too many taps from this client address; see Retry-After"),
            ],
            example: Some(json!({"product_id": 1})),
            handler: axum::routing::post(creator::tap),
            ..Default::default()
        },
        Endpoint {
            method: Method::POST,
            path: "/shows/{show}/offers",
            summary: "Start a flash drop on a variant now: a lower price for 5 to 600 s on the stream's clock, \
                      capped in units and per buyer (emits an offer event). Viewers claim it by adding the variant \
                      with its offer_id while their video is in the window",
            access: Access::Creator,
            request: Some(s::<w::NewOffer>),
            success: (200, "The drop, with its window", Some(s::<w::Offer>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token (or no such show)"),
                (404, "No such variant in this show"),
                (409, "A drop on this variant is still running (offer_running)"),
                (422, "A term breaks its rules (invalid_fields, naming it)"),
            ],
            example: Some(
                json!({"variant_id": 13, "price_minor": 1200, "unit_cap": 20, "per_buyer": 2, "duration_s": 60}),
            ),
            handler: axum::routing::post(offers::create),
            ..Default::default()
        },
        Endpoint {
            method: Method::GET,
            path: "/shows/{show}/run-sheet",
            summary: "The run sheet: the show's products in order, each with the creator's private note",
            access: Access::Creator,
            success: (200, "One entry per product, in the show's order", Some(s::<Vec<w::RunSheetEntry>>)),
            errors: &[(401, "Missing or wrong creator token (or no such show)")],
            handler: axum::routing::get(run_sheet::get),
            ..Default::default()
        },
        Endpoint {
            method: Method::PUT,
            path: "/shows/{show}/products/{product}/note",
            summary: "A product's run-sheet note (at most 500 characters; empty clears it). Viewers never see notes",
            access: Access::Creator,
            request: Some(s::<w::ProductNote>),
            success: (200, "The product's run-sheet entry", Some(s::<w::RunSheetEntry>)),
            errors: &[
                (400, "Malformed body or product id"),
                (401, "Missing or wrong creator token (or no such show)"),
                (404, "No such product in this show"),
                (422, "The note is too long (invalid_fields)"),
            ],
            example: Some(json!({"note": "Mention the autumn colours"})),
            handler: axum::routing::put(run_sheet::set_note),
            ..Default::default()
        },
        Endpoint {
            method: Method::PUT,
            path: "/shows/{show}/product-order",
            summary: "The order of the show's products (run sheet and viewers' shelves, from their next load): \
                      every product id once",
            access: Access::Creator,
            request: Some(s::<w::ProductOrder>),
            success: (200, "The new order", Some(s::<w::ProductOrder>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token (or no such show)"),
                (422, "Not every product exactly once (not_a_reordering)"),
            ],
            example: Some(json!({"product_ids": [2, 1, 3, 4, 5, 6, 7, 8, 9]})),
            handler: axum::routing::put(run_sheet::set_order),
            ..Default::default()
        },
        Endpoint {
            method: Method::POST,
            path: "/shows/{show}/import",
            summary: "Catalogue import: a Shopify products.json or a Merchant Center TSV, in the show's currency. \
                      A dry run reports every product and every bad row (line and reason) and writes nothing; \
                      an import adds the products after the show's own, all or (with bad rows) none unless \
                      skip_bad. Send an Idempotency-Key: an import repeated without one adds the products again",
            access: Access::Creator,
            body_limit: idempotency::MAX_IMPORT_BODY,
            request: Some(s::<w::CatalogueImport>),
            success: (200, "What the file holds, and whether it was imported", Some(s::<w::ImportReport>)),
            errors: &[
                (400, "Malformed body"),
                (401, "Missing or wrong creator token (or no such show)"),
                (
                    422,
                    "The file cannot be read at all (invalid_file), has bad rows and skip_bad is not set (bad_rows), \
                     holds no product (nothing_to_import), would take the show past 2,000 products \
                     (too_many_products), or default_stock is out of range (invalid_fields)",
                ),
            ],
            example: Some(json!({
                "format": "gmc",
                "source": "id\ttitle\tprice\tavailability\tsize\titem_group_id\nTEE-S\tTee\t25.00 EUR\tin stock\tS\tTEE\n\
                           TEE-M\tTee\t25.00 EUR\tout of stock\tM\tTEE\n",
                "dry_run": true
            })),
            handler: axum::routing::post(import::upload)
                .layer(axum::extract::DefaultBodyLimit::max(idempotency::MAX_IMPORT_BODY)),
            ..Default::default()
        },
    ]
}
