//! The overlay's one store: the state every component shares, and the actions
//! that change it. Provided once by `App` through context; components read its
//! signals and call its methods. Short-lived UI state (the variant being picked,
//! a form field) stays in the component that owns it.
//!
//! One handle, its actions by concern: the show and its events (`show`), the video's clock and what it reveals (`clock`), the cart and
//! checkout (`cart`), the studio's preview (`preview`). The brand page's own
//! cart, when it keeps one, is the `host` and `host_cart` fields (see
//! `ui/host_link.rs`).

use leptos::prelude::*;
use vetrina_wire::{Cart, CheckoutRequest, Order, ShowSnapshot};

use crate::api::events::{EventStream, StreamState};
use crate::api::Client;
use crate::browser;
use crate::domain::checkout::Attempt;
use crate::domain::playhead::Reveal;
use crate::domain::timeline::PinBoard;

mod cart;
pub use cart::Placed;
mod clock;
mod preview;
mod show;

/// Something that loads: what the user sees first, what they see after.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(String),
}

/// Which sheet covers the lower part of the video, if any.
#[derive(Debug, Clone, PartialEq)]
pub enum Sheet {
    Closed,
    /// Every product of the show, pinned ones first.
    Shelf,
    Product(i64),
    Cart,
    Checkout,
    /// Paying on the brand's own store: where the buyer is going, then the link.
    HandOver,
    Confirmation(Box<Order>),
}

/// A short message for the viewer, shown by the notice strip.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
}

/// Waits between retries of a request that got no answer while the browser
/// says it is online; after the last, the viewer is told and can try again.
const RETRY_MS: [i32; 3] = [500, 1000, 2000];

/// Where "remember me" keeps the buyer's details. Shared by every show: it is the
/// viewer's, not the show's.
const BUYER_KEY: &str = "vetrina.buyer";

#[derive(Clone, Copy)]
pub struct Store {
    pub client: StoredValue<Client>,
    pub show_id: StoredValue<String>,
    /// The viewer's locale for `Intl`, settled with the language (see [`crate::i18n::choose`]).
    pub locale: StoredValue<Option<String>>,
    /// The language the page asked for (`?lang=`), if any.
    requested_lang: StoredValue<Option<String>>,
    pub snapshot: RwSignal<Load<ShowSnapshot>>,
    pub board: RwSignal<PinBoard>,
    /// The products on the viewer's video now, newest first: what the rail
    /// shows and the shelf puts first. Live from a plain file, that is the pin
    /// board; on the video's clock, the timeline at the playhead.
    pub shown: RwSignal<Vec<i64>>,
    /// On the video's clock (HLS, replays): the pin timeline as this viewer's
    /// video plays it. `None` when pins show as they arrive.
    reveal: StoredValue<Option<Reveal>>,
    /// The show's start on the stream's clock, for the stream time of events.
    started_at_ms: StoredValue<i64>,
    /// The player, when it follows the video's clock (chapters seek with it).
    pub player: StoredValue<Option<crate::player::Player>, LocalStorage>,
    pub cart: RwSignal<Option<Cart>>,
    pub sheet: RwSignal<Sheet>,
    pub notice: RwSignal<Option<Notice>>,
    pub online: RwSignal<bool>,
    pub stream: RwSignal<StreamState>,
    /// Text for the `aria-live` region: new pins are announced through it.
    pub announcement: RwSignal<String>,
    /// The viewer's checkout details, kept in this browser only when they asked
    /// ("remember me"); they make "Buy now" a single tap next time.
    pub buyer: RwSignal<Option<CheckoutRequest>>,
    /// Requests waiting to be sent again (offline, or their answer was lost).
    pub retrying: RwSignal<u32>,
    attempt: StoredValue<Attempt>,
    events: StoredValue<Option<EventStream>, LocalStorage>,
    /// The brand's page around an embedded overlay, once it has connected.
    pub host: StoredValue<Option<std::rc::Rc<crate::api::host::Host>>, LocalStorage>,
    /// `Some(count)` while the host page keeps the cart (see `host_link.rs`).
    pub host_cart: RwSignal<Option<u32>>,
    /// In the studio's preview (`?sandbox=1`, in a tab signed in to the studio
    /// for this show): the creator token its carts are created with, which
    /// makes them sandbox carts and their orders test orders.
    pub sandbox: StoredValue<Option<String>>,
    /// Where the viewer's video is on the stream's clock, refreshed twice a
    /// second while a flash drop may start or run for it (their countdowns
    /// read it); still otherwise.
    pub offer_clock: RwSignal<i64>,
    offer_clock_running: StoredValue<bool>,
    /// The last "behind live" figure written for the studio (see `note_behind_live`).
    behind_live_ms: StoredValue<i64>,
    /// Theme tokens from the embedding brand (the snippet, `Vetrina.theme`), over the show's.
    /// (A list, not a map: a later token simply wins when applied.)
    pub brand_theme: RwSignal<Vec<(String, String)>>,
}

impl Store {
    pub fn new(client: Client, show_id: String, requested_lang: Option<String>) -> Self {
        let store = Self {
            client: StoredValue::new(client),
            show_id: StoredValue::new(show_id.clone()),
            locale: StoredValue::new(None),
            requested_lang: StoredValue::new(requested_lang),
            snapshot: RwSignal::new(Load::Loading),
            board: RwSignal::new(PinBoard::default()),
            shown: RwSignal::new(Vec::new()),
            reveal: StoredValue::new(None),
            started_at_ms: StoredValue::new(0),
            player: StoredValue::new_local(None),
            cart: RwSignal::new(None),
            sheet: RwSignal::new(Sheet::Closed),
            notice: RwSignal::new(None),
            online: RwSignal::new(browser::is_online()),
            stream: RwSignal::new(StreamState::Connecting),
            announcement: RwSignal::new(String::new()),
            buyer: RwSignal::new(browser::storage_get(BUYER_KEY).and_then(|j| browser::from_json(&j).ok())),
            retrying: RwSignal::new(0),
            attempt: StoredValue::new(Attempt::default()),
            events: StoredValue::new_local(None),
            host: StoredValue::new_local(None),
            host_cart: RwSignal::new(None),
            sandbox: StoredValue::new(preview::sandbox_token(&show_id)),
            offer_clock: RwSignal::new(0),
            offer_clock_running: StoredValue::new(false),
            behind_live_ms: StoredValue::new(-1),
            brand_theme: RwSignal::new(
                ["accent", "radius"]
                    .iter()
                    .filter_map(|token| browser::query_param(&format!("theme.{token}")).map(|v| (token.to_string(), v)))
                    .collect(),
            ),
        };
        store.settle_language(None);
        store
    }

    pub fn money(&self, minor: i64, currency: &str) -> String {
        browser::format_money(minor, currency, self.locale.get_value().as_deref())
    }

    pub fn tell(&self, text: impl Into<String>, is_error: bool) {
        self.notice.set(Some(Notice { text: text.into(), is_error }));
    }
}

pub fn use_store() -> Store {
    expect_context::<Store>()
}
