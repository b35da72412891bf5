//! The OpenAPI 3.1 document, built from [`crate::endpoints`] (paths, methods,
//! access, statuses) and the wire types' JSON Schemas (derived by `schemars`
//! from the very structs the handlers serialize). Nothing is written by hand
//! twice, so the document cannot drift from the code; a test also compares it
//! with the committed copy in `server/openapi.json` so a change is reviewed.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

use crate::http::endpoint::{Access, Endpoint};

/// A deferred schema: registers a type with the generator and returns its `$ref`.
pub type SchemaRef = fn(&mut SchemaGenerator) -> Value;

pub fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Value {
    g.subschema_for::<T>().to_value()
}

/// The whole document for `endpoints` (all of them: [`crate::openapi`]).
pub fn document(endpoints: &[Endpoint]) -> Value {
    let mut g =
        SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into()).into_generator();
    let error = schema::<vetrina_wire::ApiError>(&mut g);
    let mut paths = Map::new();
    for e in endpoints {
        let path = format!("/api{}", e.path);
        let mut op = Map::new();
        op.insert("summary".into(), json!(e.summary));
        op.insert("operationId".into(), json!(operation_id(e.method.as_str(), e.path)));
        let params: Vec<Value> = e
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| {
                let mut p = json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}});
                if let Some(example) = path_example(name) {
                    p["example"] = json!(example);
                }
                p
            })
            .collect();
        let mut params = params;
        if e.method != axum::http::Method::GET {
            params.push(json!({
                "name": "Idempotency-Key",
                "in": "header",
                "required": e.path.ends_with("/checkout"),
                "description": "Makes the request safe to retry: a successful response is stored for at least 24 hours \
                                and replayed byte for byte for the same key and body (with `Idempotent-Replayed: true`); \
                                the same key with another body answers 422, and while the first request runs, 409. \
                                Failed requests change nothing and are not stored.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255}
            }));
        }
        if e.path == "/shows/{show}/events" {
            params.push(json!({"name": "since", "in": "query", "required": false,
                "description": "Send events after this id (the snapshot's last_event_id); Last-Event-ID wins when both are sent.",
                "schema": {"type": "integer", "minimum": 0, "maximum": 9_007_199_254_740_991_i64}}));
            params.push(
                json!({"name": "Last-Event-ID", "in": "header", "required": false, "schema": {"type": "string"}}),
            );
        }
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if let Some(req) = e.request {
            let mut media = json!({"schema": req(&mut g)});
            if let Some(example) = body_example(e.method.as_str(), e.path) {
                media["example"] = example;
            }
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": media}}));
        }
        match e.access {
            Access::Creator => drop(op.insert("security".into(), json!([{"creatorToken": []}]))),
            Access::Operator => drop(op.insert("security".into(), json!([{"operatorToken": []}]))),
            Access::Public => {}
        }
        let (status, description, body) = e.success;
        let mut responses = Map::new();
        let mut ok = json!({"description": description});
        if let Some(body) = body {
            ok["content"] = if e.path.ends_with("/events") {
                // Each Server-Sent Event: its `id:` and its `data:`, which is JSON of this schema.
                json!({"text/event-stream": {"schema": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "pattern": "^[0-9]+$"},
                        "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": body(&mut g)},
                    },
                    "required": ["id", "data"],
                }}})
            } else {
                json!({"application/json": {"schema": body(&mut g)}})
            };
        }
        if let Some(links) = links(e.method.as_str(), e.path) {
            ok["links"] = links;
        }
        responses.insert(status.to_string(), ok);
        // What every operation of its kind may answer besides its own errors:
        // the idempotency layer and the body limit for writes, the query and
        // the per-client stream cap for the event stream.
        let mut errors: Vec<(u16, &str)> = e.errors.to_vec();
        if e.method != axum::http::Method::GET {
            errors.push((400, "Malformed body, or an Idempotency-Key that is empty or over 255 characters"));
            errors.push((413, "The body is over 64 KiB (8 MiB for a catalogue import)"));
            errors.push((409, "A request with the same Idempotency-Key is still running (after waiting up to 5 s)"));
            errors.push((422, "The Idempotency-Key was used with another body"));
            errors.push((408, "The body did not arrive in time"));
            errors.push((415, "The body is not declared as application/json"));
        }
        if e.access != Access::Public {
            errors.push((401, "Missing or wrong token"));
            errors.push((429, "Too many wrong tokens from this client, or for this show; see Retry-After"));
        }
        if e.path == "/shows/{show}/events" {
            errors.push((400, "`since` is not an integer"));
            errors.push((429, "This client address has too many event streams open; see Retry-After"));
        }
        for (status, when) in errors {
            // The first description of a status is the operation's own; others are added to it.
            let entry = responses.entry(status.to_string()).or_insert_with(
                || json!({"description": "", "content": {"application/json": {"schema": error.clone()}}}),
            );
            let text = entry["description"].as_str().unwrap_or("");
            entry["description"] =
                json!(if text.is_empty() { when.to_string() } else { format!("{text}; or {}", lowercase_first(when)) });
        }
        op.insert("responses".into(), Value::Object(responses));
        let entry = paths.entry(path).or_insert_with(|| json!({}));
        entry[e.method.as_str().to_lowercase()] = Value::Object(op);
    }
    let schemas = g.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Vetrina API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The API a Vetrina overlay speaks. Money is integer minor units of the show's ISO 4217 \
                            currency. Every error is JSON with a stable `code` and a human `message`. \
                            Any backend serving this API works with the overlay.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "creatorToken": {"type": "http", "scheme": "bearer",
                    "description": "A creator token scoped to one show, with an expiry."},
                "operatorToken": {"type": "http", "scheme": "bearer",
                    "description": "The server operator's token (`--operator-token`), for creating shows."}
            }
        }
    })
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_lowercase().chain(c).collect())
}

/// Examples for path parameters that name the demo's data, so a client (or a
/// fuzzer) reading the document reaches real objects; carts and orders come
/// from links instead, since they are made on the way.
fn path_example(name: &str) -> Option<Value> {
    match name {
        "show" => Some(json!("demo")),
        "variant" | "product" => Some(json!("1")),
        _ => None,
    }
}

fn body_example(method: &str, path: &str) -> Option<Value> {
    Some(match (method, path) {
        ("POST", "/carts") => json!({"show_id": "demo"}),
        ("POST", "/carts/{cart}/lines") => json!({"variant_id": 1, "quantity": 1}),
        ("PUT", "/carts/{cart}/lines/{variant}") => json!({"quantity": 2}),
        ("POST", "/shows/{show}/pins") => json!({"product_id": 1}),
        ("PATCH", "/shows/{show}") => json!({"status": "live"}),
        ("PUT", "/shows/{show}/products/{product}/note") => json!({"note": "Mention the autumn colours"}),
        ("POST", "/shows") => {
            json!({"id": "autumn-edit", "title": "Autumn Edit", "currency": "EUR", "locale": "it-IT"})
        }
        ("POST", "/shows/{show}/taps") => json!({"product_id": 1}),
        ("POST", "/shows/{show}/offers") => {
            json!({"variant_id": 13, "price_minor": 1200, "unit_cap": 20, "per_buyer": 2, "duration_s": 60})
        }
        ("PUT", "/shows/{show}/product-order") => json!({"product_ids": [2, 1, 3, 4, 5, 6, 7, 8, 9]}),
        ("POST", "/shows/{show}/import") => json!({
            "format": "gmc",
            "source": "id\ttitle\tprice\tavailability\tsize\titem_group_id\nTEE-S\tTee\t25.00 EUR\tin stock\tS\tTEE\n\
                       TEE-M\tTee\t25.00 EUR\tout of stock\tM\tTEE\n",
            "dry_run": true
        }),
        ("PATCH", "/shows/{show}/variants/{variant}") => json!({"price_minor": 4900, "stock": 10}),
        ("POST", "/carts/{cart}/checkout") => json!({
            "email": "ada@example.com", "name": "Ada Lovelace",
            "address": {"line1": "1 Via Roma", "city": "Milano", "postal_code": "20121", "country": "IT"},
            "payment_token": "tok_visa"
        }),
        _ => return None,
    })
}

/// OpenAPI links: how one operation's answer feeds the next (a new cart's id
/// to its lines and checkout, an order's id to its lookup).
fn links(method: &str, path: &str) -> Option<Value> {
    let cart = json!({"cart": "$response.body#/id"});
    let with_variant = json!({"cart": "$response.body#/id", "variant": "$response.body#/lines/0/variant_id"});
    Some(match (method, path) {
        ("GET", "/shows/{show}") => json!({
            "CreateCart": {"operationId": "post_carts", "requestBody": {"show_id": "$response.body#/show/id"}},
            "Events": {"operationId": "get_shows_show_events", "parameters": {"show": "$response.body#/show/id"}},
            "Timeline": {"operationId": "get_shows_show_timeline", "parameters": {"show": "$response.body#/show/id"}},
        }),
        ("POST", "/carts") => json!({
            "GetCart": {"operationId": "get_carts_cart", "parameters": cart},
            "AddLine": {"operationId": "post_carts_cart_lines", "parameters": cart},
            "Checkout": {"operationId": "post_carts_cart_checkout", "parameters": cart},
        }),
        ("POST", "/carts/{cart}/lines") => json!({
            "SetQuantity": {"operationId": "put_carts_cart_lines_variant", "parameters": with_variant},
            "RemoveLine": {"operationId": "delete_carts_cart_lines_variant", "parameters": with_variant},
            "Checkout": {"operationId": "post_carts_cart_checkout", "parameters": cart},
        }),
        ("POST", "/carts/{cart}/checkout") => {
            json!({"GetOrder": {"operationId": "get_orders_order", "parameters": {"order": "$response.body#/id"}}})
        }
        _ => return None,
    })
}

fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_lowercase();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        let word = seg.trim_matches(|c| c == '{' || c == '}').replace(['.', '-'], "_");
        id.push('_');
        id.push_str(&word);
    }
    id
}
