-- Kontolink schema, SQLite. Times are unix seconds (INTEGER); ids are text.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
