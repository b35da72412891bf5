//! Adding products from a catalogue file: a Shopify `products.json` or a
//! Merchant Center feed. The file is checked first (a dry run on the server,
//! which owns the rules), and the creator sees every product it holds and
//! every bad row with its line and reason before anything is saved; then
//! they import it, or only its good products.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vetrina_wire::{CatalogueFormat, CatalogueImport, ImportReport};
use wasm_bindgen::JsCast;

use crate::store::{explain, use_studio};

/// The server's limit for a catalogue request (the file travels inside JSON).
const MAX_FILE_BYTES: f64 = 7.5 * 1024.0 * 1024.0;

/// A checked file, waiting for the creator's decision.
#[derive(Clone)]
struct Checked {
    name: String,
    request: CatalogueImport,
    report: ImportReport,
    /// The Idempotency-Key of this file's import: a retry after a lost answer
    /// finds the finished import instead of adding the products twice.
    key: String,
}

/// Which kind of file this is: by its name, else by its first character.
fn format_of(name: &str, text: &str) -> CatalogueFormat {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") || (!lower.ends_with(".tsv") && text.trim_start().starts_with('{')) {
        CatalogueFormat::Shopify
    } else {
        CatalogueFormat::Gmc
    }
}

#[component]
pub fn Catalogue() -> impl IntoView {
    let studio = use_studio();
    let default_stock = RwSignal::new(String::from("10"));
    // Where a products.json came from: kept with its variants' ids, so the
    // show can hand carts over to that store's checkout.
    let shop = RwSignal::new(
        studio.snapshot.with_untracked(|s| s.as_ref().and_then(|s| s.show.shopify_store.clone())).unwrap_or_default(),
    );
    let checked = RwSignal::new(None::<Checked>);
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<&'static str>);

    let check = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        // Emptied, so choosing the same file again (after fixing it) checks it again.
        input.set_value("");
        checked.set(None);
        problem.set(None);
        let name = file.name();
        if file.size() > MAX_FILE_BYTES {
            return problem
                .set(Some(format!("{name} is over 7.5 MB. Split it into smaller files and add them one by one.")));
        }
        let stock = match default_stock.get_untracked().trim().parse::<i64>() {
            Ok(n) if (0..=vetrina_wire::MAX_STOCK).contains(&n) => n,
            _ => {
                return problem
                    .set(Some("The stock for items marked only “in stock” is a whole number, 0 or more.".into()))
            }
        };
        let Some(creator) = studio.creator.get_untracked() else { return };
        busy.set(Some("Checking the file…"));
        spawn_local(async move {
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(_) => {
                    busy.set(None);
                    return problem.set(Some(format!("{name} could not be read. Is it a text file?")));
                }
            };
            let format = format_of(&name, &text);
            let store = Some(shop.get_untracked().trim().to_string())
                .filter(|s| !s.is_empty() && format == CatalogueFormat::Shopify);
            let request = CatalogueImport {
                store,
                format,
                source: text,
                dry_run: true,
                skip_bad: false,
                default_stock: Some(stock),
            };
            match creator.import(&request, &vetrina_client::browser::random_key()).await {
                Ok(report) => {
                    checked.set(Some(Checked { name, request, report, key: vetrina_client::browser::random_key() }))
                }
                Err(e) => problem.set(Some(explain(&e))),
            }
            busy.set(None);
        });
    };

    let import = move |_| {
        let (Some(creator), Some(file)) = (studio.creator.get_untracked(), checked.get_untracked()) else { return };
        let request =
            CatalogueImport { dry_run: false, skip_bad: !file.report.problems.is_empty(), ..file.request.clone() };
        busy.set(Some("Adding the products…"));
        spawn_local(async move {
            match creator.import(&request, &file.key).await {
                Ok(report) => {
                    checked.set(None);
                    studio.refresh();
                    studio.tell(
                        format!(
                            "Added {} product(s) from {} at the end of the run sheet{}.",
                            report.products.len(),
                            file.name,
                            if report.problems.is_empty() {
                                String::new()
                            } else {
                                format!("; {} bad row(s) left out", report.problems.len())
                            }
                        ),
                        false,
                    );
                }
                Err(e) => problem.set(Some(explain(&e))),
            }
            busy.set(None);
        });
    };

    let currency = move || studio.snapshot.with(|s| s.as_ref().map(|s| s.show.currency.clone()).unwrap_or_default());
    view! {
        <section class="vs-catalogue" aria-labelledby="vs-catalogue-title">
            <h2 id="vs-catalogue-title">"Add products"</h2>
            <p class="vs-muted">
                "A Shopify products.json or a Google Merchant Center feed (.tsv), priced in "
                {currency} ". You see every product and every problem before anything is added."
            </p>
            <label for="vs-default-stock">"Stock for items marked only “in stock”"</label>
            <input
                id="vs-default-stock"
                inputmode="numeric"
                prop:value=default_stock
                on:input=move |ev| default_stock.set(event_target_value(&ev))
            />
            <label for="vs-catalogue-shop">"For a products.json: the Shopify store it comes from (optional, e.g. brand.myshopify.com)"</label>
            <input
                id="vs-catalogue-shop"
                inputmode="url"
                autocapitalize="none"
                spellcheck="false"
                prop:value=shop
                on:input=move |ev| shop.set(event_target_value(&ev))
            />
            <label for="vs-catalogue-file">"Catalogue file"</label>
            <input
                id="vs-catalogue-file"
                type="file"
                accept=".json,.tsv,.txt,application/json,text/tab-separated-values"
                on:change=check
                disabled=move || busy.get().is_some()
            />
            <p class="vs-muted" role="status">{move || busy.get()}</p>
            <p class="vs-problem" role="alert">{move || problem.get()}</p>
            {move || checked.get().map(|file| {
                let report = file.report;
                let (good, bad) = (report.products.len(), report.problems.len());
                let money = move |minor: i64| vetrina_client::browser::format_money(minor, &currency(), None);
                view! {
                    <div class="vs-report" data-testid="import-report">
                        <h3 class="vs-subtitle">{format!("{}: {good} product(s) ready, {bad} row(s) with problems", file.name)}</h3>
                        {(bad > 0).then(|| view! {
                            <p>"These rows cannot be imported. Fix them in the file and choose it again, or add the good products only:"</p>
                            <ul class="vs-problems" aria-label="Rows with problems">
                                {report.problems.iter().map(|p| view! {
                                    <li><strong>{format!("Line {}", p.line)}</strong>": " {p.reason.clone()}</li>
                                }).collect_view()}
                            </ul>
                        })}
                        {(good > 0).then(|| view! {
                            <div class="vs-scroll" tabindex="0" role="group" aria-label="Products in the file">
                                <table class="vs-sales">
                                    <thead><tr>
                                        <th scope="col">"Line"</th><th scope="col">"Product"</th><th scope="col">"Variants"</th>
                                        <th scope="col">"Stock"</th><th scope="col">"From"</th>
                                    </tr></thead>
                                    <tbody>
                                        {report.products.iter().map(|p| view! {
                                            <tr>
                                                <td>{p.line}</td>
                                                <th scope="row">{p.title.clone()}</th>
                                                <td>{p.variants}</td>
                                                <td>{if p.stock == 0 { "none".to_string() } else { p.stock.to_string() }}</td>
                                                <td>{money(p.price_from_minor)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        })}
                        <div class="vs-actions">
                            {(good > 0).then(|| view! {
                                <button type="button" class="vs-button vs-button--primary" on:click=import disabled=move || busy.get().is_some()>
                                    {if bad == 0 { format!("Add {good} product(s)") } else { format!("Add the {good} good product(s)") }}
                                </button>
                            })}
                            <button type="button" class="vs-button" on:click=move |_| checked.set(None)>"Cancel"</button>
                        </div>
                    </div>
                }
            })}
        </section>
    }
}
