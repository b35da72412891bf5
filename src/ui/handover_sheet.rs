//! Paying on the brand's own store: on a show set to check out there, the
//! cart's checkout says where the buyer is going, then links to the store's
//! cart permalink (the server builds it from the show's settings). The store
//! opens as a page of its own, in a new tab, so the show keeps playing here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vetrina_wire::HandOver;

use crate::api::ApiError;
use crate::i18n::{fill, t};
use crate::ui::sheet::Sheet;
use crate::ui::store::{use_store, Sheet as SheetState};

#[component]
pub fn HandOverSheet() -> impl IntoView {
    let store = use_store();
    let answer = RwSignal::new(None::<Result<HandOver, ApiError>>);
    let fetch = move || {
        answer.set(None);
        spawn_local(async move { answer.set(Some(store.handover().await)) });
    };
    fetch();
    let t = t();
    view! {
        <Sheet title=t.handover_title().to_string() id="handover">
            {move || match answer.get() {
                None => view! {
                    <p class="vt-muted" role="status" aria-busy="true" data-testid="handover-loading">{t.handover_loading()}</p>
                }.into_any(),
                Some(Ok(h)) => view! {
                    <p data-testid="handover-note">{fill(t.handover_body(), &[&h.store])}</p>
                    <a class="vt-button vt-button--primary vt-handover" href=h.url target="_blank" rel="noopener"
                        data-testid="handover-link">
                        {fill(t.handover_go(), &[&h.store])}
                        <span class="vt-visually-hidden">{format!(" ({})", t.opens_new_tab())}</span>
                    </a>
                }.into_any(),
                Some(Err(e)) => view! {
                    <p class="vt-problem" role="alert">{e.user_message()}</p>
                    <button type="button" class="vt-button vt-button--primary" on:click=move |_| fetch()>{t.try_again()}</button>
                }.into_any(),
            }}
            <button type="button" class="vt-button" on:click=move |_| store.sheet.set(SheetState::Cart)>{t.back_to_cart()}</button>
        </Sheet>
    }
}
