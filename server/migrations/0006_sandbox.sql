-- The studio's preview checks out for real, but as a test: a sandbox cart
-- (created with the show's creator token) becomes a test order, which is
-- charged by the test provider only, takes no stock, counts in no figure and
-- is marked as a test wherever it is shown.
ALTER TABLE carts ADD COLUMN sandbox INTEGER NOT NULL DEFAULT 0 CHECK (sandbox IN (0, 1));
ALTER TABLE orders ADD COLUMN test INTEGER NOT NULL DEFAULT 0 CHECK (test IN (0, 1));
