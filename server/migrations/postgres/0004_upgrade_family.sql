-- The access an upgrade created this one from: an account lives in one access of the
-- family (the old access and the accesses made from it).
ALTER TABLE accesses ADD COLUMN upgraded_from TEXT;
CREATE INDEX accesses_upgraded_from ON accesses (upgraded_from);
