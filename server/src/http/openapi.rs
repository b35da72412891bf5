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
                "required": e.idempotency_key_required,
                "description": "Makes the request safe to retry: a successful response is stored for at least 24 hours \
                                and replayed byte for byte for the same key and body (with `Idempotent-Replayed: true`); \
                                the same key with another body answers 422, and while the first request runs, 409. \
                                Failed requests change nothing and are not stored.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255}
            }));
        }
        for (name, description) in e.query {
            params.push(json!({"name": name, "in": "query", "required": false, "description": description,
                "schema": {"type": "string"}}));
        }
        if e.stream {
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
            if let Some(example) = &e.example {
                media["example"] = example.clone();
            }
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": media}}));
        }
        match e.access {
            Access::Creator => drop(op.insert("security".into(), json!([{"creatorToken": []}]))),
            Access::Operator => drop(op.insert("security".into(), json!([{"operatorToken": []}]))),
            Access::Public | Access::StripeSignature => {}
        }
        let (status, description, body) = e.success;
        let mut responses = Map::new();
        let mut ok = json!({"description": description});
        if let Some(body) = body {
            ok["content"] = if e.stream {
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
        if let Some(links) = &e.links {
            ok["links"] = links.clone();
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
        if matches!(e.access, Access::Creator | Access::Operator) {
            errors.push((401, "Missing or wrong token"));
            errors.push((429, "Too many wrong tokens from this client, or for this show; see Retry-After"));
        }
        if e.stream {
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

fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_lowercase();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        let word = seg.trim_matches(|c| c == '{' || c == '}').replace(['.', '-'], "_");
        id.push('_');
        id.push_str(&word);
    }
    id
}
