//! The OpenAPI document: served, complete, and equal to the committed copy.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use axum::http::StatusCode;
use common::{call, seeded};

#[tokio::test]
async fn the_document_is_served_and_every_operation_is_routed() {
    let s = seeded().await;
    let r = call(&s.router, "GET", "/api/openapi.json", &[], None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path}");
            if path.ends_with("/events") {
                // An endless stream: its routing is proven by the socket tests.
                continue;
            }
            // Each documented operation reaches a handler: not the API's 404
            // fallback and not 405 (method not routed).
            let uri = path
                .replace("{show}", "demo")
                .replace("{product}", "1")
                .replace("{variant}", "1")
                .replace("{cart}", "x")
                .replace("{order}", "x");
            let r = call(&s.router, &method.to_uppercase(), &uri, &[], None).await;
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            if r.status == StatusCode::NOT_FOUND {
                assert_ne!(r.json()["message"], "No such API route.", "{method} {path} is documented but not routed");
            }
        }
    }
    assert_eq!(operations, vetrina_server::endpoints().len());
}

#[test]
fn every_schema_reference_resolves() {
    let doc = vetrina_server::openapi();
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in ["ShowSnapshot", "EventEnvelope", "Cart", "CheckoutRequest", "Order", "ApiError", "VariantUpdate"] {
        assert!(schemas.contains_key(name), "{name} missing");
    }
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &reference[..reference.find('"').unwrap()];
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }
    // The money fields are integers, never floats or strings.
    assert_eq!(schemas["Cart"]["properties"]["total_minor"]["type"], "integer");
}

/// The committed `server/openapi.json` is what brands read; it must be what the
/// server serves. After an intended API change, regenerate it with
/// `cargo run -p vetrina-server -- openapi > server/openapi.json`.
#[test]
fn the_committed_document_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"))
        .expect("server/openapi.json is committed");
    let committed: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert!(
        committed == vetrina_server::openapi(),
        "server/openapi.json differs from the API in the code; regenerate it with \
         `cargo run -p vetrina-server -- openapi > server/openapi.json` and review the diff"
    );
}
