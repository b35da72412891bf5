//! The OpenAPI 3.1 document, built from [`crate::endpoints`] (paths, methods,
//! access, statuses) and the wire types' JSON Schemas (derived by `schemars`
//! from the very structs the handlers serialize). Nothing is written by hand
//! twice, so the document cannot drift from the code; a test also compares it
//! with the committed copy in `server/openapi.json` so a change is reviewed.

use axum::response::IntoResponse;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::JsonSchema;
use serde_json::{json, Map, Value};

use crate::{endpoints, Access};

/// A deferred schema: registers a type with the generator and returns its `$ref`.
pub type SchemaRef = fn(&mut SchemaGenerator) -> Value;

pub fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Value {
    g.subschema_for::<T>().to_value()
}

/// The whole document.
pub fn document() -> Value {
    let mut g =
        SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into()).into_generator();
    let error = schema::<vetrina_wire::ApiError>(&mut g);
    let mut paths = Map::new();
    for e in endpoints() {
        let path = format!("/api{}", e.path);
        let mut op = Map::new();
        op.insert("summary".into(), json!(e.summary));
        op.insert("operationId".into(), json!(operation_id(e.method.as_str(), e.path)));
        let params: Vec<Value> = e
            .path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
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
                "schema": {"type": "integer"}}));
            params.push(
                json!({"name": "Last-Event-ID", "in": "header", "required": false, "schema": {"type": "string"}}),
            );
        }
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if let Some(req) = e.request {
            op.insert(
                "requestBody".into(),
                json!({"required": true, "content": {"application/json": {"schema": req(&mut g)}}}),
            );
        }
        if e.access == Access::Creator {
            op.insert("security".into(), json!([{"creatorToken": []}]));
        }
        let (status, description, body) = e.success;
        let media = if e.path.ends_with("/events") { "text/event-stream" } else { "application/json" };
        let mut responses = Map::new();
        let mut ok = json!({"description": description});
        if let Some(body) = body {
            ok["content"] = json!({ media: {"schema": body(&mut g)} });
        }
        responses.insert(status.to_string(), ok);
        for (status, when) in e.errors {
            responses.insert(
                status.to_string(),
                json!({"description": when, "content": {"application/json": {"schema": error.clone()}}}),
            );
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
                    "description": "A creator token scoped to one show, with an expiry."}
            }
        }
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

/// `GET /api/openapi.json`: built once, on first request.
pub async fn serve() -> impl IntoResponse {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = DOCUMENT.get_or_init(|| document().to_string());
    ([(axum::http::header::CONTENT_TYPE, "application/json")], body.as_str())
}
