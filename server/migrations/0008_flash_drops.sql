-- Flash drops: a variant at a lower price for a short window on the stream's
-- clock, capped in units overall and per buyer.
CREATE TABLE offers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    show_id       TEXT NOT NULL REFERENCES shows(id),
    variant_id    INTEGER NOT NULL REFERENCES variants(id),
    price_minor   INTEGER NOT NULL CHECK (price_minor >= 0),
    unit_cap      INTEGER NOT NULL CHECK (unit_cap > 0),
    per_buyer     INTEGER NOT NULL CHECK (per_buyer > 0 AND per_buyer <= unit_cap),
    starts_at_ms  INTEGER NOT NULL,
    ends_at_ms    INTEGER NOT NULL CHECK (ends_at_ms > starts_at_ms),
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX offers_show ON offers(show_id, ends_at_ms);
CREATE INDEX offers_variant ON offers(variant_id, ends_at_ms);

-- A cart line that claimed a drop holds its price until offer_held_until_ms.
ALTER TABLE cart_lines ADD COLUMN offer_id INTEGER REFERENCES offers(id);
ALTER TABLE cart_lines ADD COLUMN offer_held_until_ms INTEGER;
CREATE INDEX cart_lines_offer ON cart_lines(offer_id) WHERE offer_id IS NOT NULL;
-- The drop an order line was bought at, for its caps.
ALTER TABLE order_lines ADD COLUMN offer_id INTEGER REFERENCES offers(id);
CREATE INDEX order_lines_offer ON order_lines(offer_id) WHERE offer_id IS NOT NULL;

-- Events gain the kind 'offer' (SQLite cannot change a CHECK in place).
CREATE TABLE events_v3 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    show_id       TEXT NOT NULL REFERENCES shows(id),
    kind          TEXT NOT NULL CHECK (kind IN ('pin', 'unpin', 'stock', 'price', 'show_status', 'offer')),
    product_id    INTEGER REFERENCES products(id),
    stream_ms     INTEGER NOT NULL,
    data          TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
INSERT INTO events_v3 (id, show_id, kind, product_id, stream_ms, data, created_at_ms)
SELECT id, show_id, kind, product_id, stream_ms, data, created_at_ms FROM events;
DROP TABLE events;
ALTER TABLE events_v3 RENAME TO events;
CREATE INDEX events_show ON events(show_id, id);
CREATE INDEX events_pins ON events(show_id, product_id, id) WHERE kind IN ('pin', 'unpin');
