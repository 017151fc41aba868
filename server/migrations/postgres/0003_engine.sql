-- Sync engine, data API and vault (contract §4). Translated from
-- migrations/sqlite/0003_engine.sql: same tables, columns and indexes; INTEGER times are
-- BIGINT, flags are BOOLEAN, JSON stays TEXT, sealed bytes are BYTEA,
-- AUTOINCREMENT ids are identity columns, and the SQLite triggers that guard the sync state
-- machine are one PL/pgSQL trigger function. Engine times are unix MILLISECONDS
-- (BIGINT): leases, backoff and the PSD2 window need sub-second precision in tests.
-- `user_id` is `users.id` of 0002_auth.sql (the internal end-user, not the integrator's
-- `user_id`), `client_id` is `clients.id`. Bearer tokens resolve to them through the auth
-- tables (an access token's grant, or a widget session's flow).

-- Every AEAD-sealed secret, one row per owner (`access:<id>`, `sync:<id>`, `webhook:<client>`).
-- `sealed` = 24-byte XChaCha20 nonce || ciphertext+tag; the owner is the associated data.
CREATE TABLE vault_secrets (
    owner      TEXT PRIMARY KEY,
    key_id     TEXT NOT NULL,
    sealed     BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX vault_secrets_key ON vault_secrets (key_id);

CREATE TABLE accesses (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL,
    client_id          TEXT NOT NULL,
    provider_id        TEXT NOT NULL,
    access_method_id   TEXT NOT NULL,
    -- Non-secret credential values (e.g. the login name) as a JSON object.
    public_credentials TEXT NOT NULL DEFAULT '{}',
    save_secrets       BOOLEAN NOT NULL DEFAULT FALSE,
    secrets_saved      BOOLEAN NOT NULL DEFAULT FALSE,
    auth_method_id     TEXT,
    auth_medium_id     TEXT,
    -- ACTIVE or UPGRADE_REQUIRED.
    status             TEXT NOT NULL DEFAULT 'ACTIVE',
    -- The error (JSON) every sync of an UPGRADE_REQUIRED access fails with.
    upgrade_error      TEXT,
    created_at         BIGINT NOT NULL,
    last_synced_at     BIGINT
);
CREATE INDEX accesses_user ON accesses (user_id, created_at);

CREATE TABLE accounts (
    id                  TEXT PRIMARY KEY,
    access_id           TEXT NOT NULL REFERENCES accesses (id),
    user_id             TEXT NOT NULL,
    provider_account_id TEXT NOT NULL,
    iban                TEXT,
    name                TEXT NOT NULL,
    account_type        TEXT NOT NULL,
    currency            TEXT NOT NULL,
    owner               TEXT,
    balance             TEXT,
    available           TEXT,
    balance_date        TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    UNIQUE (access_id, provider_account_id)
);
CREATE INDEX accounts_user ON accounts (user_id, created_at);

CREATE TABLE transactions (
    id                      TEXT PRIMARY KEY,
    account_id              TEXT NOT NULL REFERENCES accounts (id),
    provider_transaction_id TEXT NOT NULL,
    amount                  TEXT NOT NULL,
    currency                TEXT NOT NULL,
    booking_date            TEXT NOT NULL,
    value_date              TEXT,
    booked                  BOOLEAN NOT NULL,
    purpose                 TEXT,
    name                    TEXT,
    iban                    TEXT,
    transaction_type        TEXT,
    UNIQUE (account_id, provider_transaction_id)
);
CREATE INDEX transactions_newest ON transactions (account_id, booking_date DESC, provider_transaction_id DESC);

CREATE TABLE syncs (
    id               TEXT PRIMARY KEY,
    access_id        TEXT NOT NULL REFERENCES accesses (id),
    user_id          TEXT NOT NULL,
    client_id        TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('QUEUED', 'RUNNING', 'AWAIT_AUTH', 'COMPLETED', 'FAILED')),
    scope            TEXT NOT NULL,              -- JSON array of ACCOUNTS / TRANSACTIONS
    options          TEXT NOT NULL,              -- JSON SyncOptions (no secrets)
    -- TRUE = counts against the PSD2 limit (unattended and accepted).
    counted          BOOLEAN NOT NULL DEFAULT FALSE,
    automatic        BOOLEAN NOT NULL DEFAULT FALSE,
    step             TEXT,
    progress         TEXT NOT NULL DEFAULT '{}', -- JSON: challenge rounds and answers (TANs live in the vault)
    challenge_id     TEXT,
    challenge        TEXT,                       -- JSON of the open challenge
    await_deadline   BIGINT,
    wake_at          BIGINT,
    error            TEXT,                       -- JSON ErrorDetail
    attempts         BIGINT NOT NULL DEFAULT 0,
    run_after        BIGINT NOT NULL,
    lease_owner      TEXT,
    lease_expires_at BIGINT,
    claimed_from     TEXT,                       -- status before the last claim
    created_at       BIGINT NOT NULL,
    started_at       BIGINT,
    ended_at         BIGINT
);
CREATE INDEX syncs_claim ON syncs (status, run_after);
CREATE INDEX syncs_lease ON syncs (status, lease_expires_at);
CREATE INDEX syncs_wake ON syncs (status, wake_at);
CREATE INDEX syncs_access ON syncs (access_id, created_at);
CREATE UNIQUE INDEX syncs_challenge ON syncs (challenge_id) WHERE challenge_id IS NOT NULL;
-- At most one unfinished sync per access.
CREATE UNIQUE INDEX syncs_one_active ON syncs (access_id) WHERE status IN ('QUEUED', 'RUNNING', 'AWAIT_AUTH');

-- The state machine, enforced by the database as well: QUEUED → RUNNING ⇄ AWAIT_AUTH →
-- COMPLETED | FAILED, and a finished sync never changes again.
CREATE FUNCTION syncs_guard_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IN ('COMPLETED', 'FAILED') THEN
        RAISE EXCEPTION 'a finished sync never changes';
    END IF;
    IF OLD.status <> NEW.status AND NOT (
           (OLD.status = 'QUEUED' AND NEW.status = 'RUNNING')
        OR (OLD.status = 'RUNNING' AND NEW.status IN ('AWAIT_AUTH', 'COMPLETED', 'FAILED'))
        OR (OLD.status = 'AWAIT_AUTH' AND NEW.status IN ('RUNNING', 'FAILED'))
    ) THEN
        RAISE EXCEPTION 'invalid sync status transition';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER syncs_status_guard BEFORE UPDATE ON syncs
FOR EACH ROW EXECUTE FUNCTION syncs_guard_status();

CREATE TABLE events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       TEXT NOT NULL,
    event_type    TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    data          TEXT
);
CREATE INDEX events_user ON events (user_id, id);

-- Where a client wants finished syncs POSTed; its signing secret is sealed in vault_secrets
-- under `webhook:<client_id>`.
CREATE TABLE client_webhooks (
    client_id        TEXT PRIMARY KEY,
    notification_uri TEXT NOT NULL
);

-- The webhook outbox: written in the transaction that finishes the sync, delivered until 2xx.
CREATE TABLE webhook_outbox (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id        TEXT NOT NULL,
    url              TEXT NOT NULL,
    body             TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    lease_expires_at BIGINT,
    delivered_at     BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (delivered_at, next_attempt_at);
