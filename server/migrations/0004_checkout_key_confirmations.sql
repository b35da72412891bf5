-- The Idempotency-Key of the checkout that wrote an order, so a retry with that
-- key after a crash resumes its pending order (and only that request may).
ALTER TABLE orders ADD COLUMN checkout_key TEXT;
-- When the order confirmation was handed to the mailer; NULL until it was, so the
-- maintenance task sends what a failure or a crash left unsent.
ALTER TABLE orders ADD COLUMN confirmation_sent_at_ms INTEGER;
-- The maintenance task's search for confirmations still to send.
CREATE INDEX orders_unsent_confirmations ON orders (payment_status) WHERE confirmation_sent_at_ms IS NULL;
-- A still of the show, for the page before the video plays.
ALTER TABLE shows ADD COLUMN poster_url TEXT;
