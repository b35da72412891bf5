-- Settings a creator edits in the studio: when the show is planned to start,
-- and its shipping policy (before, every show shipped at 4.90, free from 50.00).
ALTER TABLE shows ADD COLUMN scheduled_for_ms INTEGER;
ALTER TABLE shows ADD COLUMN shipping_flat_minor INTEGER NOT NULL DEFAULT 490 CHECK (shipping_flat_minor >= 0);
ALTER TABLE shows ADD COLUMN shipping_free_from_minor INTEGER DEFAULT 5000
    CHECK (shipping_free_from_minor IS NULL OR shipping_free_from_minor >= 0);
