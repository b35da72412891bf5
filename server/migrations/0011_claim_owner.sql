-- Which server process claimed an idempotency key: a claim left by another
-- process (one that has stopped) may be taken over at once rather than after
-- the 60 s that a claim of a live process gets.
ALTER TABLE idempotency_keys ADD COLUMN owner TEXT;
