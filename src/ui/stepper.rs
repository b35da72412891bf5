//! A quantity stepper: "−", the number, "+". Each button is a 44 px target with
//! its own spoken name; the number is announced when it changes.

use leptos::prelude::*;

use crate::i18n::t;

#[component]
pub fn Stepper(
    value: Signal<u32>,
    /// The least the "−" button goes to (0 lets it remove a cart line).
    min: u32,
    max: Signal<u32>,
    /// Names the group for screen readers ("Quantity of Linen Shirt").
    label: String,
    #[prop(into)] disabled: Signal<bool>,
    on_change: Callback<u32>,
) -> impl IntoView {
    view! {
        <div class="vt-stepper" role="group" aria-label=label>
            <button
                type="button"
                class="vt-stepper__button"
                aria-label=t().fewer()
                disabled=move || { disabled.get() || value.get() <= min }
                on:click=move |_| on_change.run(value.get_untracked().saturating_sub(1))
            >"−"</button>
            <span class="vt-stepper__value" aria-live="polite">{move || value.get()}</span>
            <button
                type="button"
                class="vt-stepper__button"
                aria-label=t().more()
                disabled=move || { disabled.get() || value.get() >= max.get() }
                on:click=move |_| on_change.run(value.get_untracked() + 1)
            >"+"</button>
        </div>
    }
}
