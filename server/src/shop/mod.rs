//! Buying: carts, checkout and orders, and the confirmation a buyer is sent.
//!
//! Prices, totals and stock are decided here, from the store, never taken
//! from a request.

pub mod carts;
pub mod mail;
pub mod orders;
pub mod payments;
pub mod refunds;

/// Carts, checkout and orders (see [`crate::endpoints`]).
pub fn endpoints() -> Vec<crate::http::endpoint::Endpoint> {
    use crate::http::endpoint::{Access, Endpoint};

    use crate::http::openapi::schema as s;
    use axum::http::Method;
    use serde_json::json;
    use vetrina_wire as w;
    vec![
        Endpoint {
            method: Method::POST,
            path: "/carts",
            summary: "Create a cart for a show; its unguessable id is its only credential. A sandbox cart \
                      (`sandbox: true`, the studio's preview) also needs the show's creator token as \
                      `Authorization: Bearer`; its checkout places a test order",
            access: Access::Public,
            request: Some(s::<w::CreateCart>),
            success: (201, "The new, empty cart", Some(s::<w::Cart>)),
            errors: &[
                (400, "Malformed body"),
                (401, "A sandbox cart without the show's creator token"),
                (404, "No such show"),
                (429, "Too many new carts from this client address; see Retry-After"),
            ],
            example: Some(json!({"show_id": "demo"})),
            links: Some(json!({
                "GetCart": {"operationId": "get_carts_cart", "parameters": {"cart": "$response.body#/id"}},
                "AddLine": {"operationId": "post_carts_cart_lines", "parameters": {"cart": "$response.body#/id"}},
                "Checkout": {"operationId": "post_carts_cart_checkout", "parameters": {"cart": "$response.body#/id"}},
            })),
            handler: axum::routing::post(carts::create),
            ..Default::default()
        },
        Endpoint {
            method: Method::GET,
            path: "/carts/{cart}",
            summary: "A cart with server-computed totals",
            access: Access::Public,
            success: (200, "The cart", Some(s::<w::Cart>)),
            errors: &[(404, "No such cart, or it has been ordered")],
            handler: axum::routing::get(carts::get),
            ..Default::default()
        },
        Endpoint {
            method: Method::GET,
            path: "/carts/{cart}/handover",
            summary: "On a show that checks out on the brand's Shopify store: the store's cart permalink for this \
                      cart, to open as a page of its own",
            access: Access::Public,
            success: (200, "Where to pay", Some(s::<w::HandOver>)),
            errors: &[
                (404, "No such cart, or it has been ordered"),
                (409, "The show checks out here (not_on_store), the cart is empty, or a line is not sold on the store"),
            ],
            handler: axum::routing::get(carts::handover),
            ..Default::default()
        },
        Endpoint {
            method: Method::POST,
            path: "/carts/{cart}/lines",
            summary: "Add units of a variant to the cart; with an offer_id, at a flash drop's price (claimed \
                      while the viewer's video is in its window, held for 10 minutes)",
            access: Access::Public,
            request: Some(s::<w::AddLine>),
            success: (200, "The updated cart", Some(s::<w::Cart>)),
            errors: &[
                (400, "Malformed body"),
                (404, "No such cart or variant, or no such flash drop on it"),
                (
                    409,
                    "Sold out, not enough stock, or the cart is already ordered; a flash drop not started, ended \
                     (offer_ended) or sold out (offer_sold_out): nothing was added",
                ),
                (422, "Quantity zero (invalid_fields), or over a limit (quantity_limit; a flash drop's per-buyer limit: offer_limit)"),
            ],
            example: Some(json!({"variant_id": 1, "quantity": 1})),
            links: Some(json!({
                "SetQuantity": {
                    "operationId": "put_carts_cart_lines_variant",
                    "parameters": {"cart": "$response.body#/id", "variant": "$response.body#/lines/0/variant_id"},
                },
                "RemoveLine": {
                    "operationId": "delete_carts_cart_lines_variant",
                    "parameters": {"cart": "$response.body#/id", "variant": "$response.body#/lines/0/variant_id"},
                },
                "Checkout": {"operationId": "post_carts_cart_checkout", "parameters": {"cart": "$response.body#/id"}},
            })),
            handler: axum::routing::post(carts::add_line),
            ..Default::default()
        },
        Endpoint {
            method: Method::PUT,
            path: "/carts/{cart}/lines/{variant}",
            summary: "Set a line's quantity; 0 removes it",
            access: Access::Public,
            request: Some(s::<w::SetQuantity>),
            success: (200, "The updated cart", Some(s::<w::Cart>)),
            errors: &[
                (400, "Malformed body"),
                (404, "No such cart, variant or line"),
                (409, "Not enough stock, or the cart is already ordered"),
                (422, "Quantity over a limit"),
            ],
            example: Some(json!({"quantity": 2})),
            handler: axum::routing::put(carts::set_quantity),
            ..Default::default()
        },
        Endpoint {
            method: Method::DELETE,
            path: "/carts/{cart}/lines/{variant}",
            summary: "Remove a line",
            access: Access::Public,
            success: (200, "The updated cart", Some(s::<w::Cart>)),
            errors: &[(404, "No such cart or line"), (409, "The cart is already ordered")],
            handler: axum::routing::delete(carts::remove_line),
            ..Default::default()
        },
        Endpoint {
            method: Method::POST,
            path: "/carts/{cart}/checkout",
            summary: "Place the order: stock is taken atomically and the payment token charged. \
                      Requires Idempotency-Key.",
            access: Access::Public,
            request: Some(s::<w::CheckoutRequest>),
            success: (201, "The placed, paid order", Some(s::<w::Order>)),
            errors: &[
                (400, "Malformed body or missing Idempotency-Key"),
                (202, "The buyer must authenticate the payment with their bank (3-D Secure): a PaymentAction \
                       with the client secret for Stripe.js; then the same request, same Idempotency-Key, \
                       finishes the order"),
                (402, "The payment was declined; nothing was bought"),
                (503, "The payment provider could not be reached or did not answer (payment_unavailable): the \
                       order waits, its stock held; the same request with the same Idempotency-Key resumes it \
                       and never charges twice"),
                (404, "No such cart"),
                (
                    409,
                    "Sold out or short (the message names the product and what is left), a flash drop sold out \
                     before this order (offer_sold_out), cart empty or already ordered, the same Idempotency-Key \
                     still being processed, or no payment provider configured (checkout_unavailable)",
                ),
                (
                    422,
                    "Invalid fields, a per-buyer limit (a flash drop's: offer_limit), or an Idempotency-Key reused \
                     with another body",
                ),
                (429, "Too many checkouts from this client; see Retry-After"),
            ],
            example: Some(json!({
                "email": "ada@example.com", "name": "Ada Lovelace",
                "address": {"line1": "1 Via Roma", "city": "Milano", "postal_code": "20121", "country": "IT"},
                "payment_token": "tok_visa"
            })),
            links: Some(json!({
                "GetOrder": {"operationId": "get_orders_order", "parameters": {"order": "$response.body#/id"}},
            })),
            idempotency_key_required: true,
            handler: axum::routing::post(carts::checkout),
            ..Default::default()
        },
        Endpoint {
            method: Method::POST,
            path: "/payments/stripe/webhook",
            summary: "Stripe's events about the payments it takes for this shop (a PaymentIntent succeeded, \
                      failed or was cancelled), signed with the endpoint's secret (`Stripe-Signature`). Each \
                      event is acted on once, by asking Stripe where the payment stands now",
            access: Access::StripeSignature,
            body_limit: payments::WEBHOOK_BODY_LIMIT,
            success: (200, "Received (acted on, or not a Vetrina payment, or handled already)", None),
            errors: &[
                (400, "The Stripe-Signature is missing, malformed, more than five minutes old or does not match \
                       (bad_signature), or the body is not an event (malformed_event)"),
                (404, "This server takes no Stripe payments"),
                (422, "The payment's amount or currency is not its order's (payment_mismatch): not accepted"),
                (503, "Stripe could not be asked where the payment stands: deliver again later"),
            ],
            handler: axum::routing::post(payments::stripe_webhook),
            ..Default::default()
        },
        Endpoint {
            method: Method::GET,
            path: "/orders/{order}",
            summary: "Look up an order by its unguessable id",
            access: Access::Public,
            success: (200, "The order", Some(s::<w::Order>)),
            errors: &[(404, "No such order")],
            handler: axum::routing::get(orders::get),
            ..Default::default()
        },
        Endpoint {
            method: Method::POST,
            path: "/shows/{show}/orders/{order}/refunds",
            summary: "Give money back on a paid order (by its number) through the provider that took it: the \
                      whole order with no lines (a cancellation: what is left of it, shipping included), or \
                      some units at the price paid for them; `restock` (default true) puts them back on sale. \
                      The buyer is emailed. Requires Idempotency-Key",
            access: Access::Creator,
            request: Some(s::<w::RefundRequest>),
            success: (201, "The refund given", Some(s::<w::Refund>)),
            errors: &[
                (404, "The show has no such order"),
                (
                    409,
                    "The order is not paid (order_not_paid), more units than are left to refund \
                     (more_than_left), or nothing left to refund (nothing_to_refund)",
                ),
                (422, "A variant that is not in the order (not_in_order), or invalid lines"),
                (503, "The payment provider did not make the refund (refund_unavailable); nothing changed"),
            ],
            example: Some(json!({"lines": [], "restock": true, "reason": "Cancelled by the buyer"})),
            idempotency_key_required: true,
            handler: axum::routing::post(refunds::create),
            ..Default::default()
        },
    ]
}
