//! Vetrina's viewer overlay: tappable product cards over a live video.
//!
//! - [`domain`]: the logic (pins, variants, money), pure Rust, tested natively.
//! - [`api`]: HTTP and Server-Sent Events, the only network code.
//! - [`ui`]: Leptos components, one per file, sharing one [`ui::store::Store`].
//! - [`i18n`]: every sentence, one catalogue per language, and choosing the language.
//! - [`browser`]: storage, `Intl` and other browser services, failure-tolerant.

pub mod api;
pub mod browser;
pub mod domain;
pub mod i18n;
pub mod ui;

/// Mounts the overlay on `<body>`; the entry point of the built app.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::app::App);
    // The server's first frame of the show (see the server's `page` module):
    // the overlay has just drawn the same thing in the same place, so it goes
    // in this same task, before the browser paints again.
    browser::remove_element("vt-prerender");
}
