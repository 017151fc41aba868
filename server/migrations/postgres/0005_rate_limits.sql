-- Rate-limit buckets shared by every process (contract §8). UNLOGGED: not written to the
-- WAL, emptied after a crash, which only refills the buckets.
CREATE UNLOGGED TABLE rate_buckets (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    tokens DOUBLE PRECISION NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (bucket, key)
);
CREATE INDEX rate_buckets_at ON rate_buckets (at_ms);
