//! The creator's part of the API, every request with the show's creator
//! token. Requests go out through the client crate's one sending function
//! ([`Client::run`]), so an error is the same typed [`ApiError`] in the
//! overlay and here; the event stream is the client crate's too.

use serde::de::DeserializeOwned;
use vetrina_client::api::{enc, parse, ApiError, Client, Request};
use vetrina_wire::{
    CatalogueImport, CreatedShow, CreatorSession, CreatorToken, EmbedOrigins, EventEnvelope, ImportReport, NewOffer,
    NewShowRequest, Offer, PinRequest, ProductNote, ProductOrder, Refund, RefundRequest, RunSheetEntry, Show,
    ShowOrder, ShowSnapshot, ShowStats, ShowStatus, ShowUpdate, Variant, VariantUpdate,
};

/// Creates a show with the server's operator token; answers its creator token.
pub async fn create_show(operator: &str, request: &NewShowRequest) -> Result<CreatedShow, ApiError> {
    let body = vetrina_client::browser::to_json(request).map_err(ApiError::Decode)?;
    send("POST", "/shows".into(), operator, Some(body), None).await
}

/// One API request (`path` below `/api`) with a bearer token (and an
/// `Idempotency-Key`, when given); the answer read as `T`.
async fn send<T: DeserializeOwned>(
    method: &'static str,
    path: String,
    token: &str,
    body: Option<String>,
    key: Option<&str>,
) -> Result<T, ApiError> {
    let request = Request { method, path, body, bearer: Some(format!("Bearer {token}")) };
    parse(&Client.run(&request, key).await?)
}

/// A show, as its creator: its id and the token that opens it.
#[derive(Debug, Clone, PartialEq)]
pub struct Creator {
    pub show: String,
    pub token: String,
}

impl Creator {
    /// The show's path below `/api`, then `path`.
    fn url(&self, path: &str) -> String {
        format!("/shows/{}{path}", enc(&self.show))
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: &'static str,
        path: &str,
        body: Option<String>,
    ) -> Result<T, ApiError> {
        self.send_keyed(method, path, body, None).await
    }

    /// [`Self::send`], with an `Idempotency-Key` so a retry finds the first answer.
    async fn send_keyed<T: DeserializeOwned>(
        &self,
        method: &'static str,
        path: &str,
        body: Option<String>,
        key: Option<&str>,
    ) -> Result<T, ApiError> {
        send(method, self.url(path), &self.token, body, key).await
    }

    /// Whether the token opens the show (how the studio signs in).
    pub async fn session(&self) -> Result<CreatorSession, ApiError> {
        self.send("GET", "/creator", None).await
    }

    /// The show as viewers get it: products in order, what is pinned.
    pub async fn snapshot(&self) -> Result<ShowSnapshot, ApiError> {
        self.send("GET", "", None).await
    }

    pub async fn pin(&self, product_id: i64) -> Result<EventEnvelope, ApiError> {
        let body = vetrina_client::browser::to_json(&PinRequest { product_id }).map_err(ApiError::Decode)?;
        self.send("POST", "/pins", Some(body)).await
    }

    pub async fn unpin(&self, product_id: i64) -> Result<EventEnvelope, ApiError> {
        self.send("DELETE", &format!("/pins/{product_id}"), None).await
    }

    pub async fn set_status(&self, status: ShowStatus) -> Result<Show, ApiError> {
        self.update_show(&ShowUpdate { status: Some(status), ..Default::default() }).await
    }

    /// The show's settings (absent fields stay as they are).
    pub async fn update_show(&self, update: &ShowUpdate) -> Result<Show, ApiError> {
        let body = vetrina_client::browser::to_json(update).map_err(ApiError::Decode)?;
        self.send("PATCH", "", Some(body)).await
    }

    /// A variant's price or stock, live: the server tells every viewer.
    pub async fn update_variant(&self, variant_id: i64, update: &VariantUpdate) -> Result<Variant, ApiError> {
        let body = vetrina_client::browser::to_json(update).map_err(ApiError::Decode)?;
        self.send("PATCH", &format!("/variants/{variant_id}"), Some(body)).await
    }

    /// Checks a catalogue file (`dry_run`) or imports it, under `key`.
    pub async fn import(&self, import: &CatalogueImport, key: &str) -> Result<ImportReport, ApiError> {
        let body = vetrina_client::browser::to_json(import).map_err(ApiError::Decode)?;
        self.send_keyed("POST", "/import", Some(body), Some(key)).await
    }

    /// The sites allowed to embed the show.
    pub async fn embed_origins(&self) -> Result<EmbedOrigins, ApiError> {
        self.send("GET", "/embed-origins", None).await
    }

    /// Replaces the sites allowed to embed the show; answers the list kept (normalized).
    pub async fn set_embed_origins(&self, origins: Vec<String>) -> Result<EmbedOrigins, ApiError> {
        let body = vetrina_client::browser::to_json(&EmbedOrigins { origins }).map_err(ApiError::Decode)?;
        self.send("PUT", "/embed-origins", Some(body)).await
    }

    /// Starts a flash drop now.
    pub async fn start_offer(&self, offer: &NewOffer) -> Result<Offer, ApiError> {
        let body = vetrina_client::browser::to_json(offer).map_err(ApiError::Decode)?;
        self.send("POST", "/offers", Some(body)).await
    }

    /// The run sheet: every product's note, in the show's order.
    pub async fn run_sheet(&self) -> Result<Vec<RunSheetEntry>, ApiError> {
        self.send("GET", "/run-sheet", None).await
    }

    pub async fn set_note(&self, product_id: i64, note: &ProductNote) -> Result<RunSheetEntry, ApiError> {
        let body = vetrina_client::browser::to_json(note).map_err(ApiError::Decode)?;
        self.send("PUT", &format!("/products/{product_id}/note"), Some(body)).await
    }

    /// The products' order (every product once).
    pub async fn set_order(&self, order: &ProductOrder) -> Result<ProductOrder, ApiError> {
        let body = vetrina_client::browser::to_json(order).map_err(ApiError::Decode)?;
        self.send("PUT", "/product-order", Some(body)).await
    }

    /// The show's numbers now (who is watching, what sold).
    pub async fn stats(&self) -> Result<ShowStats, ApiError> {
        self.send("GET", "/stats", None).await
    }

    /// The show's latest orders, newest first.
    pub async fn orders(&self) -> Result<Vec<ShowOrder>, ApiError> {
        self.send("GET", "/orders", None).await
    }

    /// Gives money back on order `number` through the provider that took it,
    /// under `key` (a retry whose answer was lost finds the same refund).
    pub async fn refund(&self, number: &str, request: &RefundRequest, key: &str) -> Result<Refund, ApiError> {
        let body = vetrina_client::browser::to_json(request).map_err(ApiError::Decode)?;
        self.send_keyed("POST", &format!("/orders/{}/refunds", enc(number)), Some(body), Some(key)).await
    }

    /// A new token; this one stops working.
    pub async fn rotate(&self) -> Result<CreatorToken, ApiError> {
        self.send("POST", "/creator-token", None).await
    }

    /// The show's event stream from after `last_event_id` (public, like the overlay's).
    pub fn events_url(&self, last_event_id: i64) -> String {
        Client.url(&self.url(&format!("/events?since={last_event_id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_stream_is_the_apis() {
        let creator = Creator { show: "spring edit".into(), token: "t".into() };
        assert_eq!(creator.events_url(7), "/api/shows/spring%20edit/events?since=7");
    }
}
