-- Events carry every kind of show event (pins, stock, prices, show status), each
-- with its JSON serialized once at write time and replayed as is.
CREATE TABLE events_v2 (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    show_id       TEXT NOT NULL REFERENCES shows(id),
    kind          TEXT NOT NULL CHECK (kind IN ('pin', 'unpin', 'stock', 'price', 'show_status')),
    product_id    INTEGER REFERENCES products(id),
    stream_ms     INTEGER NOT NULL,
    data          TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
INSERT INTO events_v2 (id, show_id, kind, product_id, stream_ms, data, created_at_ms)
SELECT id, show_id, kind, product_id, stream_ms,
       json_object('id', id, 'show_id', show_id, 'stream_ms', stream_ms, 'type', kind, 'product_id', product_id),
       created_at_ms
FROM events;
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
CREATE INDEX events_show ON events(show_id, id);
CREATE INDEX events_pins ON events(show_id, product_id, id) WHERE kind IN ('pin', 'unpin');

-- Theme tokens (CSS custom property values by token name) as a JSON object.
ALTER TABLE shows ADD COLUMN theme TEXT NOT NULL DEFAULT '{}';

-- At most this many units of a product per buyer (by email across orders), if set.
ALTER TABLE products ADD COLUMN max_per_buyer INTEGER CHECK (max_per_buyer IS NULL OR max_per_buyer > 0);

-- Orders get an unguessable id for lookup, and their payment's outcome.
ALTER TABLE orders ADD COLUMN public_id TEXT;
ALTER TABLE orders ADD COLUMN payment_status TEXT NOT NULL DEFAULT 'paid'
    CHECK (payment_status IN ('pending', 'paid'));
ALTER TABLE orders ADD COLUMN payment_reference TEXT;
UPDATE orders SET public_id = lower(hex(randomblob(16))) WHERE public_id IS NULL;
CREATE UNIQUE INDEX orders_public_id ON orders(public_id);

-- Every payment attempt, including declines (which place no order and keep no stock).
CREATE TABLE payment_attempts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    cart_id       TEXT NOT NULL REFERENCES carts(id),
    provider      TEXT NOT NULL,
    amount_minor  INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('approved', 'declined', 'error')),
    reference     TEXT,
    reason        TEXT,
    created_at_ms INTEGER NOT NULL
);

-- Idempotency records: status 0 marks a request still running.
CREATE INDEX idempotency_age ON idempotency_keys(created_at_ms);
