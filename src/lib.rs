//! Vetrina's viewer overlay: tappable product cards over a live video.
//!
//! - [`ui`]: Leptos components, one per file, sharing one [`ui::store::Store`].
//! - [`player`]: the binding to the video player glue (`player.js`, `cmaf.js`).
//! - [`api`]: the network: the shared client's HTTP requests and event stream,
//!   and the brand page's own cart ([`api::host`]).
//!
//! What the studio needs too lives once in `vetrina-client` (`client/`) and
//! is re-exported here under the names the overlay has always used:
//! [`domain`] (the logic, pure Rust, tested natively), [`browser`] (storage,
//! `Intl` and other browser services) and [`i18n`] (every sentence, and
//! choosing the language).

pub mod api;
pub mod pay;
pub mod player;
pub mod ui;

pub use vetrina_client::{browser, domain, i18n};

/// Mounts the overlay on `<body>`; the entry point of the built app.
pub fn start() {
    console_error_panic_hook::set_once();
    // Several short tasks, not one long one: the wasm was instantiated in
    // this one; the show's data is read in the next, presented in the one
    // after (queued by the store before the draw below, so it runs first);
    // then the first frame is drawn; then the player starts and the rest of
    // the stage is drawn (see `App`). On a slow phone each is a few tens of
    // milliseconds, and between them the browser answers a tap and keeps the
    // video going (Lighthouse counts the part of a task over 50 ms as blocking).
    // Leptos's task executor, which mounting would otherwise set up: the
    // show's data starts loading before that.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    wasm_bindgen_futures::spawn_local(async {
        browser::sleep(0).await;
        // Owns the store's signals for the page's lifetime (never dropped).
        let owner = leptos::reactive::owner::Owner::new();
        let store = owner.with(ui::app::prepare);
        browser::sleep(0).await;
        owner.with(|| mount(store));
        std::mem::forget(owner);
    });
}

fn mount(store: ui::store::Store) {
    use leptos::prelude::*;
    leptos::mount::mount_to_body(move || view! { <ui::app::App store=store /> });
    // The server's first frame of the show (see the server's `page` module):
    // the overlay has just drawn the same thing in the same place, so it goes
    // in this same task, before the browser paints again.
    browser::remove_element("vt-prerender");
}
