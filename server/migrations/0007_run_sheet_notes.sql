-- The creator's note on a product for the run sheet (talking points, "mention
-- the discount"): the studio's only; viewers never get it.
ALTER TABLE products ADD COLUMN note TEXT NOT NULL DEFAULT '';
