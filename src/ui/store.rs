//! The overlay's one store: the state every component shares, and the actions
//! that change it. Provided once by `App` through context; components read its
//! signals and call its methods. Short-lived UI state (the variant being picked,
//! a form field) stays in the component that owns it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vetrina_wire::{Cart, CheckoutRequest, Order, Product, ShowSnapshot};

use crate::api::events::{self, EventStream, StreamState};
use crate::api::{self, ApiError, Client, Request};
use crate::browser;
use crate::domain::checkout::Attempt;
use crate::domain::offer;
use crate::domain::playhead::{self, Mark, Reveal};
use crate::domain::timeline::{apply_to_catalogue, envelope_from, merge_products, Applied, FlatEvent, PinBoard};
use crate::i18n::{self, fill, t};

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
    /// The viewer's locale for `Intl`, settled with the language (see [`i18n::choose`]).
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
    pub player: StoredValue<Option<crate::ui::video::Player>, LocalStorage>,
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
            sandbox: StoredValue::new(sandbox_token(&show_id)),
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

    /// Chooses the language and formatting locale (the show's locale counts
    /// once it is known) and tells the page, for screen readers.
    fn settle_language(&self, show_locale: Option<&str>) {
        let choice = self.choose_language(show_locale);
        // English until the chosen language's sentences are installed.
        i18n::set(choice.lang);
        browser::set_document_lang(i18n::current().code());
        self.locale.set_value(Some(choice.locale));
    }

    fn choose_language(&self, show_locale: Option<&str>) -> i18n::Choice {
        i18n::choose(self.requested_lang.get_value().as_deref(), &browser::languages(), show_locale)
    }

    /// Keeps (or, without consent, forgets) the buyer's details in this browser.
    pub fn remember_buyer(&self, details: Option<&CheckoutRequest>) {
        match details.and_then(|d| browser::to_json(d).ok()) {
            Some(json) => browser::storage_set(BUYER_KEY, &json),
            None => browser::storage_remove(BUYER_KEY),
        }
        self.buyer.set(details.cloned());
    }

    /// Tells the show's figures that the viewer tapped a product's card. Best
    /// effort: a lost report costs one count, never the viewer anything; the
    /// studio's preview reports nothing.
    pub fn report_tap(self, product_id: i64) {
        if self.sandbox.with_value(Option::is_some) {
            return;
        }
        spawn_local(async move {
            let request = Request::tap(&self.show_id.get_value(), product_id);
            if let Err(e) = self.client.get_value().run(&request, None).await {
                browser::warn(&format!("vetrina: a tap was not counted: {e}"));
            }
        });
    }

    /// Where this browser keeps the cart's id; a sandbox cart apart, so the
    /// preview never touches the creator's own cart as a viewer.
    fn cart_key(&self) -> String {
        let kind = if self.sandbox.with_value(Option::is_some) { "sandbox-cart" } else { "cart" };
        format!("vetrina.{kind}.{}", self.show_id.get_value())
    }

    pub fn product(&self, id: i64) -> Option<Product> {
        self.snapshot.with(|s| match s {
            Load::Ready(s) => s.products.iter().find(|p| p.id == id).cloned(),
            _ => None,
        })
    }

    pub fn currency(&self) -> String {
        self.snapshot.with(|s| match s {
            Load::Ready(s) => s.show.currency.clone(),
            _ => "EUR".into(),
        })
    }

    pub fn money(&self, minor: i64, currency: &str) -> String {
        browser::format_money(minor, currency, self.locale.get_value().as_deref())
    }

    pub fn tell(&self, text: impl Into<String>, is_error: bool) {
        self.notice.set(Some(Notice { text: text.into(), is_error }));
    }

    /// Loads the show, then follows its event stream from where the snapshot ends.
    pub fn load(self) {
        // The page the server sent may already hold the snapshot (read once: a
        // "Try again" later fetches afresh). It counts only for this show and
        // the page's own backend, and a malformed one is ignored with a warning.
        let embedded = browser::element_text("vt-snapshot").and_then(|text| {
            browser::remove_element("vt-snapshot");
            match api::parse::<ShowSnapshot>(&text) {
                Ok(s) if s.show.id == self.show_id.get_value() => Some(s),
                Ok(_) => None,
                Err(e) => {
                    browser::warn(&format!("vetrina: ignoring the page's embedded snapshot: {e}"));
                    None
                }
            }
        });
        if let Some(snapshot) = embedded {
            // Presented in a task of its own, queued before the one that draws
            // the overlay (see `crate::start`): reading and presenting the
            // show are each a few milliseconds, together too long on a slow phone.
            spawn_local(async move {
                browser::sleep(0).await;
                self.ready(snapshot);
            });
        } else {
            spawn_local(async move {
                match self.client.get_value().snapshot(&self.show_id.get_value()).await {
                    Ok(snapshot) => self.ready(snapshot),
                    Err(e) => self.snapshot.set(Load::Failed(match e {
                        ApiError::Server { status: 404, .. } => t().show_missing().into(),
                        other => other.user_message(),
                    })),
                }
            });
        }
        self.refresh_cart();
    }

    /// The show is known: its language's sentences come first (from the page,
    /// else fetched; English if neither works), then the show renders.
    fn ready(self, snapshot: ShowSnapshot) {
        let lang = self.choose_language(Some(&snapshot.show.locale)).lang;
        if lang.is_available() {
            return self.present(snapshot);
        }
        let id = format!("vt-text-{}", lang.code());
        if let Some(json) = browser::element_text(&id) {
            browser::remove_element(&id);
            browser::install_catalogue(lang, &json);
            return self.present(snapshot);
        }
        spawn_local(async move {
            match api::catalogue(lang).await {
                Ok(json) => browser::install_catalogue(lang, &json),
                Err(e) => browser::warn(&format!("vetrina: no {} sentences ({e}); showing English", lang.code())),
            }
            self.present(snapshot);
        });
    }

    fn present(self, snapshot: ShowSnapshot) {
        let client = self.client.get_value();
        let show_id = self.show_id.get_value();
        // Before anything of the show renders: it renders in this language.
        self.settle_language(Some(&snapshot.show.locale));
        self.board.set(PinBoard::from_snapshot(snapshot.pinned.clone(), snapshot.last_event_id));
        let show = &snapshot.show;
        self.started_at_ms.set_value(show.started_at_ms);
        if playhead::follows_video_clock(&show.stream_url, show.status == vetrina_wire::ShowStatus::Ended) {
            // Pins show when the video reaches them, from the whole timeline:
            // a late joiner or a replay sees what was pinned before they came.
            self.reveal.set_value(Some(Reveal::default()));
            self.load_timeline();
        } else {
            self.shown.set(snapshot.pinned.clone());
        }
        let url = client.url(&format!("/shows/{show_id}/events?since={}", snapshot.last_event_id));
        let offers = !snapshot.offers.is_empty();
        self.snapshot.set(Load::Ready(snapshot));
        self.follow(&url);
        if offers {
            self.run_offer_clock();
        }
    }

    fn follow(self, url: &str) {
        let opened = EventStream::open(url, move |data| self.on_event_data(&data), move |state| self.stream.set(state));
        match opened {
            Ok(stream) => self.events.set_value(Some(stream)),
            Err(e) => {
                browser::warn(&format!("vetrina: could not open the event stream: {e}"));
                self.stream.set(StreamState::Reconnecting);
            }
        }
    }

    /// Applies one SSE payload (anything malformed is dropped with a console
    /// warning by [`events::read`]).
    pub fn on_event_data(&self, data: &str) {
        let Some(envelope) = events::read(data, &self.show_id.get_value()) else { return };
        let mut applied = Applied::Ignored;
        self.board.update(|b| applied = b.apply(&envelope));
        if let Applied::Pinned(id) = applied {
            if self.product(id).is_none() {
                self.learn_products();
            }
        }
        match applied {
            Applied::Pinned(_) | Applied::Unpinned(_) => {
                match playhead::mark_of(&envelope, self.started_at_ms.get_value()) {
                    Some(mark) if self.on_video_clock() => self.add_marks(&[mark]),
                    _ => self.show_board_pins(),
                }
            }
            Applied::Other => {
                self.snapshot.update(|s| {
                    if let Load::Ready(s) = s {
                        apply_to_catalogue(s, &envelope.event);
                    }
                });
                if matches!(envelope.event, vetrina_wire::ShowEvent::Offer { .. }) {
                    self.run_offer_clock();
                }
            }
            Applied::Ignored => {}
        }
    }

    /// A pin of a product this overlay has not heard of: the catalogue grew
    /// during the show (an import). The products are read again; the pin is
    /// on the board already and its card shows once its product is known.
    fn learn_products(self) {
        spawn_local(async move {
            match self.client.get_value().snapshot(&self.show_id.get_value()).await {
                Ok(fresh) => self.snapshot.update(|s| {
                    if let Load::Ready(s) = s {
                        merge_products(&mut s.products, fresh.products);
                    }
                }),
                Err(e) => browser::warn(&format!("vetrina: a new product's details could not be loaded: {e}")),
            }
        });
    }

    /// Keeps [`Self::offer_clock`] going while a drop may start or run for
    /// this viewer's video, then stops (no timer while there is none).
    fn run_offer_clock(self) {
        if self.offer_clock_running.get_value() {
            return;
        }
        self.offer_clock_running.set_value(true);
        spawn_local(async move {
            loop {
                let at = self.playhead_ms();
                self.offer_clock.set(at);
                let ahead = self.snapshot.with_untracked(|s| match s {
                    Load::Ready(s) => offer::any_ahead(&s.offers, at),
                    _ => false,
                });
                if !ahead {
                    break;
                }
                browser::sleep(500).await;
            }
            self.offer_clock_running.set_value(false);
        });
    }

    /// The flash drop on one of `product`'s variants running for this
    /// viewer's video now (reactive: it follows the offer clock).
    pub fn running_offer(&self, product: &Product) -> Option<vetrina_wire::Offer> {
        let at = self.offer_clock.get();
        self.snapshot.with(|s| match s {
            Load::Ready(s) => offer::running(&s.offers, product, at).cloned(),
            _ => None,
        })
    }

    pub fn on_video_clock(&self) -> bool {
        self.reveal.with_value(Option::is_some)
    }

    /// The pins made before this viewer came, for a late join or a replay.
    fn load_timeline(self) {
        spawn_local(async move {
            let client = self.client.get_value();
            let fetched = client.run(&Request::timeline(&self.show_id.get_value()), None).await;
            let events: Vec<FlatEvent> = match fetched.and_then(|body| api::parse(&body)) {
                Ok(events) => events,
                Err(e) => return browser::warn(&format!("vetrina: the pin timeline could not be loaded: {e}")),
            };
            let (show, start) = (self.show_id.get_value(), self.started_at_ms.get_value());
            let marks: Vec<Mark> = events
                .into_iter()
                .filter_map(|f| envelope_from(f, &show).ok())
                .filter_map(|e| playhead::mark_of(&e, start))
                .collect();
            self.add_marks(&marks);
        });
    }

    /// Adds pins and unpins on the stream's clock (from the event stream, the
    /// timeline, or the playlist's DATERANGEs); those the video has already
    /// reached show at once, the rest wait for it.
    pub fn add_marks(&self, marks: &[Mark]) {
        self.reveal_with(|r| {
            for m in marks {
                r.insert(*m);
            }
            r.playhead().and_then(|p| r.advance(p))
        });
    }

    /// A frame of the video is on screen at `playhead_ms` on the stream's clock.
    pub fn on_clock(&self, playhead_ms: i64) {
        self.reveal_with(|r| r.advance(playhead_ms));
        self.note_behind_live(playhead_ms);
    }

    /// How far this video runs behind live, on the page's root element as
    /// `data-behind-live-ms` (whole tenths of a second, written only when it
    /// changes): the studio reads it from its preview to tell the creator
    /// when viewers will see a pin. Only in the studio's preview (a viewer's
    /// overlay does not spend its frames on it), and only while the show is
    /// live: a replay is behind by the show's age, which says nothing.
    fn note_behind_live(&self, playhead_ms: i64) {
        if self.sandbox.with_value(Option::is_none) {
            return;
        }
        let live = self
            .snapshot
            .with_untracked(|s| matches!(s, Load::Ready(s) if s.show.status == vetrina_wire::ShowStatus::Live));
        if !live {
            return;
        }
        let behind = ((js_sys::Date::now() as i64 - playhead_ms).max(0) + 50) / 100 * 100;
        if self.behind_live_ms.get_value() != behind {
            self.behind_live_ms.set_value(behind);
            browser::set_root_attribute("data-behind-live-ms", &behind.to_string());
        }
    }

    /// Runs `f` on the timeline, if on the video's clock, and shows the pins it answers.
    fn reveal_with(&self, f: impl FnOnce(&mut Reveal) -> Option<Vec<i64>>) {
        let mut active = None;
        self.reveal.update_value(|r| active = r.as_mut().and_then(f));
        if let Some(pins) = active {
            self.show_pins(pins);
        }
    }

    /// The video has no clock after all (hls.js did not load, say): show pins
    /// as they arrive, as for a plain file, rather than none.
    pub fn leave_video_clock(&self) {
        self.reveal.set_value(None);
        self.show_board_pins();
    }

    /// Pins as they arrive: the pin board's, for a video without a clock.
    fn show_board_pins(&self) {
        self.show_pins(self.board.with_untracked(|b| b.pinned().to_vec()));
    }

    /// Shows the frame at `at_ms` on the stream's clock (a chapter).
    pub fn seek_to(&self, at_ms: i64) {
        self.player.with_value(|p| p.as_ref().map(|p| p.seek(at_ms)));
    }

    /// Where the viewer's video is on the stream's clock: the playhead when the
    /// overlay follows it, else now (a live video plays in real time).
    pub fn playhead_ms(&self) -> i64 {
        self.reveal.with_value(|r| r.as_ref().and_then(Reveal::playhead)).unwrap_or_else(|| js_sys::Date::now() as i64)
    }

    pub fn started_at_ms(&self) -> i64 {
        self.started_at_ms.get_value()
    }

    /// Product chapters of the timeline: (product, time on the stream's clock).
    pub fn chapters(&self) -> Vec<(i64, i64)> {
        self.reveal.with_value(|r| r.as_ref().map(|r| r.timeline().chapters()).unwrap_or_default())
    }

    /// Puts `pins` on screen, announcing the newest that was not there before.
    fn show_pins(&self, pins: Vec<i64>) {
        let before = self.shown.get_untracked();
        if before == pins {
            return;
        }
        if let Some(p) = pins.iter().find(|p| !before.contains(p)).and_then(|id| self.product(*id)) {
            self.announcement.set(fill(t().now_showing(), &[&p.title]));
        }
        self.shown.set(pins);
    }

    /// Loads the cart again from the server: on start (its id is kept in this
    /// browser, so a reload keeps the cart), when back online, after a stock error.
    pub fn refresh_cart(self) {
        spawn_local(async move { self.reload_cart().await });
    }

    pub async fn reload_cart(&self) {
        let Some(id) = browser::storage_get(&self.cart_key()) else { return };
        match self.client.get_value().cart(&id).await {
            Ok(cart) => self.cart.set(Some(cart)),
            Err(ApiError::Server { status: 404, .. }) => browser::storage_remove(&self.cart_key()),
            Err(e) => self.tell(fill(t().cart_not_loaded(), &[&e.user_message()]), true),
        }
    }

    fn keep_cart(&self, cart: Cart) {
        browser::storage_set(&self.cart_key(), &cart.id);
        self.cart.set(Some(cart));
    }

    /// Sends a change until it gets an answer. A request that got none (the
    /// network dropped, or its answer was lost on the way back) goes again with
    /// the same idempotency key, so the server applies it exactly once: while the
    /// browser is offline it waits for the network, otherwise it tries
    /// [`RETRY_MS`]`.len()` more times before the viewer is told.
    async fn send(&self, request: Request, key: String) -> Result<String, ApiError> {
        let client = self.client.get_value();
        let mut failures = 0;
        let mut waiting = false;
        let result = loop {
            match client.run(&request, Some(&key)).await {
                Err(ApiError::Network(_)) if failures < RETRY_MS.len() => {
                    if !waiting {
                        waiting = true;
                        self.retrying.update(|n| *n += 1);
                    }
                    if browser::is_online() {
                        browser::sleep(RETRY_MS[failures]).await;
                        failures += 1;
                    } else {
                        browser::sleep(1000).await;
                    }
                }
                other => break other,
            }
        };
        if waiting {
            self.retrying.update(|n| *n = n.saturating_sub(1));
        }
        result
    }

    /// A change to the cart, with a fresh idempotency key; the cart it answers
    /// with becomes the viewer's.
    async fn change_cart(&self, request: Request) -> Result<Cart, ApiError> {
        let cart: Cart = api::parse(&self.send(request, browser::random_key()).await?)?;
        self.keep_cart(cart.clone());
        Ok(cart)
    }

    /// Adds to the cart, creating it on first use. A cart that has vanished on
    /// the server (ordered in another tab, say) is replaced once, transparently.
    pub async fn add_to_cart(&self, variant_id: i64, quantity: u32) -> Result<(), ApiError> {
        if self.host_cart.get_untracked().is_some() {
            return self.add_to_host_cart(variant_id, quantity).await;
        }
        self.add_to_own_cart(variant_id, quantity).await?;
        self.track_lines("add_to_cart", &[(variant_id, quantity)], None);
        Ok(())
    }

    async fn add_to_own_cart(&self, variant_id: i64, quantity: u32) -> Result<(), ApiError> {
        // A flash drop on this variant that the viewer's video is in: claimed,
        // saying where the video is when the overlay follows its clock.
        let at = self.playhead_ms();
        let offer = self.snapshot.with_untracked(|s| match s {
            Load::Ready(s) => offer::running_on(&s.offers, variant_id, at).map(|o| o.id),
            _ => None,
        });
        let offer = offer.map(|id| (id, self.on_video_clock().then_some(at)));
        if let Some(id) = self.cart.get_untracked().map(|c| c.id) {
            match self.change_cart(Request::add_line(&id, variant_id, quantity, offer)).await {
                Err(ApiError::Server { code, .. }) if code == "not_found" || code == "cart_closed" => {}
                other => return other.map(drop),
            }
        }
        let sandbox = self.sandbox.get_value();
        let cart = self.change_cart(Request::create_cart(&self.show_id.get_value(), sandbox.as_deref())).await?;
        self.change_cart(Request::add_line(&cart.id, variant_id, quantity, offer)).await.map(drop)
    }

    /// Sets a line's quantity; 0 removes it.
    pub async fn set_quantity(&self, variant_id: i64, quantity: u32) -> Result<(), ApiError> {
        let Some(id) = self.cart.get_untracked().map(|c| c.id) else { return Ok(()) };
        self.change_cart(Request::set_quantity(&id, variant_id, quantity)).await.map(drop)
    }

    /// Places the order. Retrying the same request (a double tap, a timeout)
    /// reuses the idempotency key, so at most one order is ever placed.
    pub async fn checkout(&self, request: &CheckoutRequest) -> Result<Order, ApiError> {
        let Some(cart) = self.cart.get_untracked() else {
            return Err(ApiError::Server {
                status: 409,
                code: "cart_empty".into(),
                message: t().err_cart_empty().into(),
                fields: Vec::new(),
            });
        };
        // What makes this attempt this attempt: the cart's contents and the details.
        // (Variant and quantity pairs, not the serialized lines: cheaper in the bundle.)
        let lines: String = cart.lines.iter().map(|l| format!("{}x{},", l.variant_id, l.quantity)).collect();
        let fingerprint = format!("{}|{lines}|{}", cart.id, browser::to_json(request).unwrap_or_default());
        let mut key = String::new();
        self.attempt.update_value(|a| key = a.key_for(&fingerprint, browser::random_key));
        let order: Order = api::parse(&self.send(Request::checkout(&cart.id, request), key).await?)?;
        self.attempt.update_value(Attempt::finish);
        let lines: Vec<(i64, u32)> = order.lines.iter().map(|l| (l.variant_id, l.quantity)).collect();
        self.track_lines("purchase", &lines, Some((order.number.clone(), order.total_minor)));
        browser::storage_remove(&self.cart_key());
        self.cart.set(None);
        Ok(order)
    }
}

/// The studio's creator token for `show`, when the page is its preview: the
/// overlay frames (`?sandbox=1`) or the brand-embed frame (embedded by a page
/// on our own origin, which brands' pages never are), in a tab signed in to
/// the studio for that show.
fn sandbox_token(show: &str) -> Option<String> {
    let own_origin = || web_sys::window().and_then(|w| w.location().origin().ok());
    let embedded_by_us =
        browser::query_param("embed").as_deref() == Some("1") && browser::query_param("host") == own_origin();
    if browser::query_param("sandbox").as_deref() != Some("1") && !embedded_by_us {
        return None;
    }
    let signed_in = browser::session_get(browser::STUDIO_SHOW_KEY).is_some_and(|s| s == show);
    signed_in.then(|| browser::session_get(browser::STUDIO_TOKEN_KEY)).flatten()
}

pub fn use_store() -> Store {
    expect_context::<Store>()
}
