-- The sites allowed to embed a show (the overlay page answers with
-- `Content-Security-Policy: frame-ancestors` for exactly these), as origins:
-- scheme://host[:port], lower case, no path.
CREATE TABLE embed_origins (
    show_id TEXT NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    origin TEXT NOT NULL,
    PRIMARY KEY (show_id, origin)
);
