-- Who bought, for per-buyer limits: the email as one person's (see
-- vetrina_wire::buyer_key: any case, without a "+tag"), so a plus-address
-- is not a second buyer. Older orders get their lower-cased email.
ALTER TABLE orders ADD COLUMN buyer TEXT NOT NULL DEFAULT '';
UPDATE orders SET buyer = lower(email);
CREATE INDEX orders_buyer ON orders (buyer);
