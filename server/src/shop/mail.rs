//! Order confirmations: what the buyer receives once their order is paid.
//!
//! The overlay tells the buyer "a confirmation is on its way", so one must be.
//! [`confirm`] writes the message in the show's language and hands it to the
//! [`Mailer`](crate::state::mailer::Mailer); only when the mailer has taken it is the order marked as
//! confirmed, and [`send_unsent`] (run periodically) retries what a mail server
//! refused or a crash left unsent. The mailers (SMTP, an outbox folder) are in
//! [`crate::state::mailer`].

use lettre::message::{header::ContentType, Mailbox};
use lettre::Message;
use vetrina_wire::{Address, Order};

use crate::shop::orders::{self, OrderKey};
use crate::state::AppState;
use crate::store;
use crate::util::now_ms;

/// Sends the confirmation of a paid order unless it was already sent. Failures
/// are logged and left for [`send_unsent`]; they never fail the order.
pub async fn confirm(state: &AppState, order_id: i64) {
    if let Err(e) = try_confirm(state, order_id).await {
        tracing::warn!(order_id, error = %e, "order confirmation not sent yet; will retry");
    }
}

async fn try_confirm(state: &AppState, order_id: i64) -> Result<(), String> {
    let err = |e: store::Error| e.to_string();
    let Some(stored) = store::orders::to_confirm(&state.db, order_id).await.map_err(err)? else {
        return Err(format!("order {order_id} does not exist"));
    };
    if stored.sent || !stored.paid {
        return Ok(());
    }
    let address: Address = serde_json::from_str(&stored.address).map_err(|e| e.to_string())?;
    let mut conn = state.db.acquire().await.map_err(err)?;
    let order = orders::load(&mut conn, OrderKey::Internal(order_id)).await.map_err(|e| e.to_string())?;
    drop(conn);
    let text = Text::for_locale(&stored.locale);
    let message = message(&order, &address, &stored.show_title, text, &state.config.mail_from, stored.test_payment)?;
    state.mailer.send(&order.number, message).await?;
    store::orders::mark_confirmed(&state.writer, order_id, now_ms()).await.map_err(err)?;
    Ok(())
}

/// Tells the buyer what a refund gave back. A failure is logged (the refund
/// stands; the order list shows it).
pub async fn refunded(state: &AppState, order: &Order, refund: &vetrina_wire::Refund) {
    let sent = async {
        let show =
            crate::live::shows::load_show(&mut *state.db.acquire().await.map_err(|e| e.to_string())?, &order.show_id)
                .await
                .map_err(|e| e.to_string())?;
        let text = Text::for_locale(&show.locale);
        let message = refund_message(order, refund, &show.title, text, &state.config.mail_from)?;
        state.mailer.send(&format!("{}-refund-{}", order.number, refund.id), message).await
    }
    .await;
    if let Err(e) = sent {
        tracing::warn!(order = %order.number, error = %e, "the refund email was not sent");
    }
}

/// The refund notice as an email.
pub fn refund_message(
    order: &Order,
    refund: &vetrina_wire::Refund,
    show: &str,
    text: &Text,
    from: &str,
) -> Result<Message, String> {
    let to = recipient(order)?;
    let from: Mailbox = from.parse().map_err(|e| format!("sender: {e}"))?;
    let mut body = String::new();
    body.push_str(&text.hello.replace("{name}", &order.name));
    body.push_str("\n\n");
    body.push_str(
        &text
            .refund_body
            .replace("{amount}", &money(refund.amount_minor, &order.currency, text))
            .replace("{number}", &order.number)
            .replace("{show}", show),
    );
    body.push('\n');
    if !refund.lines.is_empty() {
        body.push_str(&format!("\n{}\n", text.refund_units));
        for line in &refund.lines {
            let title = order.lines.iter().find(|l| l.variant_id == line.variant_id).map_or("", |l| l.title.as_str());
            body.push_str(&format!("  {} × {title}\n", line.quantity));
        }
    }
    Message::builder()
        .from(from)
        .to(to)
        .subject(text.refund_subject.replace("{number}", &order.number))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())
}

/// The buyer, as an email's recipient.
fn recipient(order: &Order) -> Result<Mailbox, String> {
    format!("{} <{}>", order.name.replace(['<', '>', '"'], ""), order.email)
        .parse()
        .or_else(|_| order.email.parse())
        .map_err(|e| format!("recipient: {e}"))
}

/// Retries every paid order's confirmation that has not gone yet.
/// Only orders `min_age` old or more: a younger one's confirmation is still being
/// sent by the checkout that paid it (on this instance or another).
pub async fn send_unsent(state: &AppState, min_age: std::time::Duration) -> usize {
    let cutoff = now_ms() - i64::try_from(min_age.as_millis()).unwrap_or(i64::MAX);
    let ids = store::orders::unconfirmed(&state.db, cutoff).await.unwrap_or_default();
    for id in &ids {
        confirm(state, *id).await;
    }
    ids.len()
}

/// The confirmation's sentences, per language.
pub struct Text {
    lang: &'static str,
    subject: &'static str,
    /// The subject of a test order's confirmation (a sandbox cart's).
    test_subject: &'static str,
    hello: &'static str,
    thanks: &'static str,
    order: &'static str,
    subtotal: &'static str,
    shipping: &'static str,
    free: &'static str,
    total: &'static str,
    ship_to: &'static str,
    test_shop: &'static str,
    test_order: &'static str,
    refund_subject: &'static str,
    /// `{amount}`, `{number}`, `{show}`.
    refund_body: &'static str,
    refund_units: &'static str,
}

const EN: Text = Text {
    lang: "en",
    subject: "Your order {number}",
    test_subject: "TEST order {number}",
    hello: "Hello {name},",
    thanks: "thank you for your order from \"{show}\". Here is what you bought.",
    order: "Order",
    subtotal: "Subtotal",
    shipping: "Shipping",
    free: "free",
    total: "Total",
    ship_to: "We will ship it to:",
    test_shop: "This is Vetrina's test shop: no payment was taken and nothing will be shipped.",
    test_order: "This was a test order, placed from the studio's preview: nothing was charged, no stock was taken \
                 and nothing will be shipped.",
    refund_subject: "Refund for your order {number}",
    refund_body: "we have refunded {amount} for your order {number} from \"{show}\". It goes back the way you paid; \
                  your bank may take a few days to show it.",
    refund_units: "Refunded:",
};

const IT: Text = Text {
    lang: "it",
    subject: "Il tuo ordine {number}",
    test_subject: "Ordine di PROVA {number}",
    hello: "Ciao {name},",
    thanks: "grazie per il tuo ordine da \"{show}\". Ecco cosa hai acquistato.",
    order: "Ordine",
    subtotal: "Subtotale",
    shipping: "Spedizione",
    free: "gratuita",
    total: "Totale",
    ship_to: "Lo spediremo a:",
    test_shop: "Questo è il negozio di prova di Vetrina: nessun pagamento è stato addebitato e nulla sarà spedito.",
    test_order: "Questo era un ordine di prova, fatto dall'anteprima dello studio: nessun addebito, nessuna scorta \
                 impegnata e nulla sarà spedito.",
    refund_subject: "Rimborso per il tuo ordine {number}",
    refund_body: "ti abbiamo rimborsato {amount} per il tuo ordine {number} da \"{show}\". Torna sul metodo con cui \
                  hai pagato; la tua banca potrebbe impiegare qualche giorno a mostrarlo.",
    refund_units: "Rimborsati:",
};

impl Text {
    pub fn for_locale(locale: &str) -> &'static Text {
        if locale.to_ascii_lowercase().starts_with("it") {
            &IT
        } else {
            &EN
        }
    }
}

/// Money for a plain-text message: the currency's minor units (its exponent
/// from the one table, `vetrina_wire::minor_digits`, as the overlay and the
/// import use), the language's decimal mark, the ISO code after.
pub fn money(minor: i64, currency: &str, text: &Text) -> String {
    let exponent = vetrina_wire::minor_digits(currency);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{abs} {currency}");
    }
    let scale = 10u64.pow(exponent);
    let mark = if text.lang == "it" { "," } else { "." };
    format!("{sign}{}{mark}{:0width$} {currency}", abs / scale, abs % scale, width = exponent as usize)
}

/// The whole confirmation as an email; `test_payment`: the built-in test
/// provider took it (the email then says no money moved, which is true only then).
pub fn message(
    order: &Order,
    address: &Address,
    show: &str,
    text: &Text,
    from: &str,
    test_payment: bool,
) -> Result<Message, String> {
    let to = recipient(order)?;
    let from: Mailbox = from.parse().map_err(|e| format!("sender: {e}"))?;
    let m = |minor| money(minor, &order.currency, text);
    let mut body = String::new();
    body.push_str(&text.hello.replace("{name}", &order.name));
    body.push_str("\n\n");
    body.push_str(&text.thanks.replace("{show}", show));
    body.push_str(&format!("\n\n{} {}\n\n", text.order, order.number));
    for line in &order.lines {
        let options = if line.options.is_empty() { String::new() } else { format!(" ({})", line.options.join(", ")) };
        body.push_str(&format!("  {} × {}{}  {}\n", line.quantity, line.title, options, m(line.line_total_minor)));
    }
    let shipping = if order.shipping_minor == 0 { text.free.to_string() } else { m(order.shipping_minor) };
    body.push_str(&format!(
        "\n  {}: {}\n  {}: {}\n  {}: {}\n\n{}\n",
        text.subtotal,
        m(order.subtotal_minor),
        text.shipping,
        shipping,
        text.total,
        m(order.total_minor),
        text.ship_to
    ));
    for part in [&order.name, &address.line1, &address.line2] {
        if !part.trim().is_empty() {
            body.push_str(&format!("  {}\n", part.trim()));
        }
    }
    body.push_str(&format!("  {} {}\n  {}\n", address.postal_code.trim(), address.city.trim(), address.country));
    if order.test {
        body.push_str(&format!("\n{}\n", text.test_order));
    } else if test_payment {
        body.push_str(&format!("\n{}\n", text.test_shop));
    }
    let subject = if order.test { text.test_subject } else { text.subject };
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject.replace("{number}", &order.number))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_refund_notice_says_the_sum_in_the_currencys_units_and_what_came_back() {
        let order = Order {
            id: "x".into(),
            number: "VT-2345-6789".into(),
            show_id: "demo".into(),
            payment_status: vetrina_wire::PaymentStatus::PartiallyRefunded,
            email: "ada@example.com".into(),
            name: "Ada".into(),
            currency: "XOF".into(),
            lines: vec![vetrina_wire::OrderLine {
                variant_id: 7,
                title: "Wax print".into(),
                options: vec![],
                unit_price_minor: 5000,
                quantity: 2,
                line_total_minor: 10_000,
            }],
            subtotal_minor: 10_000,
            shipping_minor: 0,
            total_minor: 10_000,
            created_at_ms: 0,
            test: false,
        };
        let refund = vetrina_wire::Refund {
            id: 1,
            order_number: order.number.clone(),
            amount_minor: 5000,
            currency: "XOF".into(),
            lines: vec![vetrina_wire::RefundLine { variant_id: 7, quantity: 1 }],
            restocked: true,
            created_at_ms: 0,
            payment_status: vetrina_wire::PaymentStatus::PartiallyRefunded,
            refunded_minor: 5000,
        };
        let m = refund_message(&order, &refund, "Spring", &IT, "Vetrina <o@v.invalid>").unwrap();
        let text = String::from_utf8(m.formatted()).unwrap();
        assert!(text.contains("Subject: Rimborso per il tuo ordine VT-2345-6789"), "{text}");
        assert!(text.contains("5000 XOF"), "no decimals for XOF: {text}");
        assert!(text.contains("1 =C3=97 Wax print") || text.contains("1 × Wax print"), "{text}");
    }

    #[test]
    fn money_uses_the_currency_exponent_and_the_language_mark() {
        assert_eq!(money(1890, "EUR", &EN), "18.90 EUR");
        assert_eq!(money(1890, "EUR", &IT), "18,90 EUR");
        assert_eq!(money(5, "USD", &EN), "0.05 USD");
        assert_eq!(money(1200, "JPY", &EN), "1200 JPY");
        assert_eq!(money(-250, "GBP", &EN), "-2.50 GBP");
        // The exponents are the overlay's and the import's (vetrina_wire::minor_digits).
        assert_eq!(money(4990, "XOF", &EN), "4990 XOF");
        assert_eq!(money(4990, "XAF", &EN), "4990 XAF");
        assert_eq!(money(4990, "XPF", &EN), "4990 XPF");
        assert_eq!(money(4990, "HUF", &EN), "49.90 HUF");
        assert_eq!(money(4990, "IQD", &EN), "4.990 IQD");
        assert_eq!(money(4990, "LYD", &EN), "4.990 LYD");
    }
}
