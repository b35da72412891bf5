-- What viewers do with a product before buying it: card taps (reported by the
-- overlay) and adds to cart (counted by the server), per show and product.
-- Sandbox (studio preview) activity is not counted.
CREATE TABLE product_signals (
    show_id    TEXT NOT NULL REFERENCES shows(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    taps       INTEGER NOT NULL DEFAULT 0,
    adds       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (show_id, product_id)
);
