//! The show: loading it (with the language it is read in), its events as they
//! arrive, and the products a pin names.

use super::*;
use crate::api::events::{self, EventStream, StreamState};
use crate::api::{self, ApiError, Request};
use crate::browser;
use crate::domain::playhead::{self, Reveal};
use crate::domain::timeline::{apply_to_catalogue, merge_products, Applied, PinBoard};
use crate::i18n::{self, t};
use leptos::task::spawn_local;
use vetrina_wire::{Product, ShowSnapshot};

impl Store {
    /// Chooses the language and formatting locale (the show's locale counts
    /// once it is known) and tells the page, for screen readers.
    pub(super) fn settle_language(&self, show_locale: Option<&str>) {
        let choice = self.choose_language(show_locale);
        // English until the chosen language's sentences are installed.
        i18n::set(choice.lang);
        browser::set_document_lang(i18n::current().code());
        self.locale.set_value(Some(choice.locale));
    }

    fn choose_language(&self, show_locale: Option<&str>) -> i18n::Choice {
        i18n::choose(self.requested_lang.get_value().as_deref(), &browser::languages(), show_locale)
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

    pub fn product(&self, id: i64) -> Option<Product> {
        self.snapshot.with(|s| match s {
            Load::Ready(s) => s.products.iter().find(|p| p.id == id).cloned(),
            _ => None,
        })
    }

    /// The brand's store, when buyers pay there instead of here (tracked).
    pub fn pays_on_store(&self) -> Option<String> {
        self.snapshot.with(|s| match s {
            Load::Ready(s) if s.show.checkout_on_store => s.show.shopify_store.clone(),
            _ => None,
        })
    }

    pub fn currency(&self) -> String {
        self.snapshot.with(|s| match s {
            Load::Ready(s) => s.show.currency.clone(),
            _ => "EUR".into(),
        })
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
}
