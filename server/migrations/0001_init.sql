-- Vetrina reference schema. Money is integer minor units; the currency lives on the show.

CREATE TABLE shows (
    id                  TEXT PRIMARY KEY,
    title               TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('scheduled', 'live', 'ended')),
    currency            TEXT NOT NULL CHECK (length(currency) = 3),
    locale              TEXT NOT NULL,
    stream_url          TEXT NOT NULL,
    started_at_ms       INTEGER NOT NULL,
    creator_token       TEXT NOT NULL,
    token_expires_at_ms INTEGER NOT NULL
);

CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    show_id      TEXT NOT NULL REFERENCES shows(id),
    position     INTEGER NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    image_url    TEXT NOT NULL,
    option_names TEXT NOT NULL -- JSON array of strings
);
CREATE INDEX products_show ON products(show_id, position);

CREATE TABLE variants (
    id               INTEGER PRIMARY KEY,
    product_id       INTEGER NOT NULL REFERENCES products(id),
    options          TEXT NOT NULL, -- JSON array of strings, one per option name
    price_minor      INTEGER NOT NULL CHECK (price_minor >= 0),
    compare_at_minor INTEGER CHECK (compare_at_minor IS NULL OR compare_at_minor >= 0),
    -- The last line of defence against overselling: no code path can store a negative stock.
    stock            INTEGER NOT NULL CHECK (stock >= 0)
);
CREATE INDEX variants_product ON variants(product_id);

-- The pin timeline. AUTOINCREMENT so ids are never reused: they are the SSE ids
-- clients resume from.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    show_id       TEXT NOT NULL REFERENCES shows(id),
    kind          TEXT NOT NULL CHECK (kind IN ('pin', 'unpin')),
    product_id    INTEGER NOT NULL REFERENCES products(id),
    stream_ms     INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX events_show ON events(show_id, id);

CREATE TABLE carts (
    id            TEXT PRIMARY KEY,
    show_id       TEXT NOT NULL REFERENCES shows(id),
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'ordered')),
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE cart_lines (
    cart_id     TEXT NOT NULL REFERENCES carts(id),
    variant_id  INTEGER NOT NULL REFERENCES variants(id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    added_at_ms INTEGER NOT NULL,
    PRIMARY KEY (cart_id, variant_id)
);

CREATE TABLE orders (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    number         TEXT UNIQUE,
    cart_id        TEXT NOT NULL UNIQUE REFERENCES carts(id),
    show_id        TEXT NOT NULL REFERENCES shows(id),
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    address        TEXT NOT NULL, -- JSON
    currency       TEXT NOT NULL,
    subtotal_minor INTEGER NOT NULL,
    shipping_minor INTEGER NOT NULL,
    total_minor    INTEGER NOT NULL,
    created_at_ms  INTEGER NOT NULL
);

CREATE TABLE order_lines (
    order_id         INTEGER NOT NULL REFERENCES orders(id),
    variant_id       INTEGER NOT NULL REFERENCES variants(id),
    title            TEXT NOT NULL,
    options          TEXT NOT NULL,
    unit_price_minor INTEGER NOT NULL,
    quantity         INTEGER NOT NULL,
    line_total_minor INTEGER NOT NULL
);

-- Stored responses of successful checkouts, so a retried or double-tapped request
-- replays the first answer instead of placing a second order.
CREATE TABLE idempotency_keys (
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    request       TEXT NOT NULL,
    status        INTEGER NOT NULL,
    response      TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);
