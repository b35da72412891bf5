//! Vetrina Studio: where a creator runs a show's products on air.
//!
//! - [`api`]: the creator's part of the API (the only network code).
//! - [`checks`]: what would look broken on air (pure, tested natively).
//! - [`store`]: the signed-in show, its products and the pin board, following
//!   the show's event stream.
//! - [`ui`]: one component per file.
//!
//! It is a wasm app of its own (`studio/index.html`, served at `/studio`): the
//! viewer's overlay never carries any of it.

mod api;
mod checks;
mod store;
mod ui;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ui::app::App);
}
