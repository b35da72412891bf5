-- Money given back on a paid order, whole or by line, through its provider.
-- A refund is written 'pending' (holding its units against a second refund
-- of the same ones) before the provider is asked, and 'succeeded' after.
CREATE TABLE refunds (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id      BIGINT NOT NULL REFERENCES orders(id),
    amount_minor  BIGINT NOT NULL CHECK (amount_minor > 0),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'succeeded')),
    provider_ref  TEXT,
    restock       BIGINT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX refunds_order ON refunds(order_id);

-- The units a refund gives back, by variant.
CREATE TABLE refund_lines (
    refund_id  BIGINT NOT NULL REFERENCES refunds(id),
    variant_id BIGINT NOT NULL,
    quantity   BIGINT NOT NULL CHECK (quantity > 0)
);
CREATE INDEX refund_lines_refund ON refund_lines(refund_id);
