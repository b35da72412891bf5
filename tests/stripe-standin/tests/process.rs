//! The stand-in as the browser tests run it: its binary answers, serves its
//! Stripe.js, and refuses a request without the secret key as Stripe does.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

fn get(port: u16, path: &str, auth: Option<&str>) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let auth = auth.map(|a| format!("Authorization: Bearer {a}\r\n")).unwrap_or_default();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n{auth}Connection: close\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn the_binary_serves_stripe_js_and_the_api() {
    let port = 18_995;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_stripe-standin"))
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let answers = up.then(|| {
        [
            get(port, "/v3/", None),
            get(port, "/v1/payment_intents/pi_x", Some("sk_test_wrong")),
            get(port, "/v1/payment_intents/pi_x", Some("sk_test_standin")),
        ]
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let [js, unauthorized, missing] = answers.expect("the stand-in did not start");
    assert!(js.starts_with("HTTP/1.1 200") && js.contains("window.Stripe = function Stripe"), "{js}");
    assert!(unauthorized.starts_with("HTTP/1.1 401") && unauthorized.contains("api_key_invalid"), "{unauthorized}");
    assert!(missing.starts_with("HTTP/1.1 404") && missing.contains("resource_missing"), "{missing}");
}
