-- Kontolink schema, PostgreSQL. Times are unix seconds (BIGINT); ids are text.
-- Translated from migrations/sqlite/ with the same table and column names.
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
