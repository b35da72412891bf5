//! The overlay's root: reads which show to present from the page URL
//! (`?show=<id>`, `&lang=it` to fix the language; the API is always the
//! page's own origin, see [`Client`]), provides the
//! store, and lays the video, pinned cards, sheets and status over one stage.

use leptos::prelude::*;

use crate::api::Client;
use crate::browser;
use crate::i18n::t;
use crate::ui::notice::NoticeStrip;
use crate::ui::pin_rail::PinRail;
use crate::ui::sheet_host::SheetHost;
use crate::ui::store::{Load, Store};
use crate::ui::top_bar::TopBar;
use crate::ui::video::Video;

/// The store for the show the page names, its data loading (at once when
/// the server embedded the snapshot in the page). Run before [`App`] renders,
/// in a task of its own (see `crate::start`).
pub fn prepare() -> Store {
    let show = browser::query_param("show").filter(|s| !s.is_empty()).unwrap_or_else(|| "demo".into());
    let store = Store::new(Client, show, browser::query_param("lang"));
    store.load();
    // Embedded in a brand's page by embed.js: talk to that page, and only to it.
    if let Some(host) = browser::query_param("host").filter(|_| browser::query_param("embed").as_deref() == Some("1")) {
        store.connect_host(&host);
    }
    store
}

#[component]
pub fn App(store: Store) -> impl IntoView {
    provide_context(store);

    let online = window_event_listener(leptos::ev::online, move |_| {
        store.online.set(true);
        // Back online: fetch the cart again in case it changed elsewhere meanwhile.
        store.refresh_cart();
    });
    let offline = window_event_listener(leptos::ev::offline, move |_| store.online.set(false));
    on_cleanup(move || {
        online.remove();
        offline.remove();
    });

    // The brand's theme tokens, as CSS custom properties on the stage.
    let theme = move || {
        store.snapshot.with(|s| match s {
            Load::Ready(s) => {
                // The embedding brand's tokens over the show's, sanitised alike.
                let mut theme = s.show.theme.clone();
                store.brand_theme.with(|t| theme.extend(t.iter().cloned()));
                vetrina_wire::theme::style(&theme)
            }
            _ => String::new(),
        })
    };
    // Which of loading, failed and ready: the stage re-renders when that
    // changes, never for a stock or price event (the video must not restart).
    let phase = Memo::new(move |_| {
        store.snapshot.with(|s| match s {
            Load::Loading => Load::Loading,
            Load::Failed(m) => Load::Failed(m.clone()),
            Load::Ready(_) => Load::Ready(()),
        })
    });
    // The first frame (video and top bar, replacing the server's) is drawn in
    // one task, the rest of the stage (pinned cards, notices, sheets) in the
    // next: on a slow phone neither blocks the page for long.
    let rest = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        browser::sleep(0).await;
        rest.set(true);
    });
    view! {
        <main class="vt-stage" style=theme>
            {move || match phase.get() {
                Load::Loading => view! {
                    <div class="vt-placeholder" aria-busy="true">
                        <div class="vt-spinner" aria-hidden="true"></div>
                        <p>{t().loading_show()}</p>
                    </div>
                }.into_any(),
                Load::Failed(message) => view! {
                    <div class="vt-placeholder" role="alert">
                        <p class="vt-placeholder__title">{t().show_failed()}</p>
                        <p>{message}</p>
                        <button type="button" class="vt-button" on:click=move |_| {
                            store.snapshot.set(Load::Loading);
                            store.load();
                        }>{t().try_again()}</button>
                    </div>
                }.into_any(),
                Load::Ready(()) => store.snapshot.with_untracked(|s| {
                    let Load::Ready(snapshot) = s else { return ().into_any() };
                    view! {
                        <Video
                            src=snapshot.show.stream_url.clone()
                            title=snapshot.show.title.clone()
                            clocked=store.on_video_clock()
                            base_ms=snapshot.show.started_at_ms
                            poster=snapshot.show.poster_url.clone()
                        />
                        <TopBar title=snapshot.show.title.clone() />
                        {move || rest.get().then(|| view! { <PinRail /> })}
                    }.into_any()
                }),
            }}
            {move || rest.get().then(|| view! { <NoticeStrip /> })}
            {move || rest.get().then(|| view! { <SheetHost /> })}
        </main>
    }
}
