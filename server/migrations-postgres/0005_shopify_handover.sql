-- Checking out on the brand's own Shopify store: the store's host name, whether
-- the show hands its carts over to it, and each variant's Shopify id (kept from
-- a products.json import) for the store's cart permalink.
ALTER TABLE shows ADD COLUMN shopify_store TEXT;
ALTER TABLE shows ADD COLUMN checkout_on_store BIGINT NOT NULL DEFAULT 0;
ALTER TABLE variants ADD COLUMN shopify_variant_id BIGINT;
