-- A payment opened at an outside provider (a Stripe PaymentIntent) for an
-- order, written before any money can move, so whatever the provider later
-- says about it (a buyer's retry, a webhook, the reaper) finds its order. Kept
-- by order number, not row: an order put back is deleted, and a late "paid"
-- for it must still be recognised (and refunded).
CREATE TABLE provider_payments (
    intent        TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    order_number  TEXT NOT NULL UNIQUE,
    amount_minor  BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

-- Provider events (webhooks) already handled, by the provider's event id.
CREATE TABLE webhook_events (
    id             TEXT PRIMARY KEY,
    provider       TEXT NOT NULL,
    kind           TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL
);
