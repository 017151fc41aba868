-- Clients, end-users, widget flows and the OAuth token tables (contract §1–3, §8).
-- Secrets (client secrets, flow/session tokens, codes, access/refresh tokens) are stored
-- only as hex SHA-256 hashes. Times are unix seconds (BIGINT). Translated from
-- migrations/sqlite/0002_auth.sql: same names; booleans are BOOLEAN, JSON stays TEXT.

CREATE TABLE clients (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    secret_hash      TEXT NOT NULL,
    redirect_uris    TEXT NOT NULL,          -- JSON array of exact strings
    frame_origins    TEXT NOT NULL,          -- JSON array of origins
    notification_uri TEXT,
    created_at       BIGINT NOT NULL
);

-- An end-user: one per one-time flow (external_id NULL), one per (client, external_id)
-- for ongoing flows.
CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES clients (id),
    external_id TEXT,
    created_at  BIGINT NOT NULL,
    UNIQUE (client_id, external_id)
);

CREATE TABLE flows (
    id                    TEXT PRIMARY KEY,
    client_id             TEXT NOT NULL REFERENCES clients (id),
    user_id               TEXT NOT NULL REFERENCES users (id),
    kind                  TEXT NOT NULL CHECK (kind IN ('onetime', 'ongoing')),
    status                TEXT NOT NULL DEFAULT 'open'
                          CHECK (status IN ('open', 'completed', 'cancelled', 'failed')),
    redirect_uri          TEXT NOT NULL,
    state                 TEXT,
    language              TEXT NOT NULL,
    accounts              TEXT NOT NULL,     -- JSON array of prefilled IBANs
    account_types         TEXT,              -- JSON array or NULL
    allow_multi_selection BOOLEAN NOT NULL,
    sync_period           BIGINT NOT NULL,
    save_secrets          BOOLEAN NOT NULL,
    provider_id           TEXT,
    access_id             TEXT,
    account_ids           TEXT,              -- JSON array, set on completion
    error                 TEXT,              -- set on failure
    token_hash            TEXT NOT NULL UNIQUE,
    token_expires_at      BIGINT NOT NULL,
    token_used_at         BIGINT,
    session_hash          TEXT UNIQUE,
    session_expires_at    BIGINT,
    created_at            BIGINT NOT NULL,
    finished_at           BIGINT
);
CREATE INDEX flows_user ON flows (user_id);

-- A token family: every access and refresh token issued from one authorization code.
-- Revoking the grant revokes all of them at once.
CREATE TABLE grants (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES clients (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    scope      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX grants_user ON grants (user_id);

CREATE TABLE authorization_codes (
    hash         TEXT PRIMARY KEY,
    flow_id      TEXT NOT NULL UNIQUE REFERENCES flows (id),
    client_id    TEXT NOT NULL REFERENCES clients (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    redirect_uri TEXT NOT NULL,
    scope        TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    redeemed_at  BIGINT,
    grant_id     TEXT REFERENCES grants (id)
);

CREATE TABLE access_tokens (
    hash       TEXT PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES grants (id),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX access_tokens_grant ON access_tokens (grant_id);

CREATE TABLE refresh_tokens (
    hash       TEXT PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES grants (id),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);
