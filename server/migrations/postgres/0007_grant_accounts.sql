-- What an OAuth grant reaches (contract §2): the accounts the end-user chose in the flow
-- whose code created the grant, plus those chosen later in reconnect flows of the same
-- access; and every account of an access the grant's own access token created
-- (`POST /rest/accesses`, the integrator's own UI). Nothing else of the end-user.
CREATE TABLE grant_accounts (
    grant_id   TEXT NOT NULL REFERENCES grants (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (grant_id, account_id)
);
CREATE INDEX grant_accounts_account ON grant_accounts (account_id);

ALTER TABLE accesses ADD COLUMN created_by_grant TEXT REFERENCES grants (id);

-- Grants issued before this migration reach what their flow chose.
INSERT INTO grant_accounts (grant_id, account_id)
SELECT DISTINCT c.grant_id, chosen.value
FROM authorization_codes c
JOIN flows f ON f.id = c.flow_id
CROSS JOIN LATERAL jsonb_array_elements_text(f.account_ids::jsonb) AS chosen (value)
WHERE c.grant_id IS NOT NULL AND f.account_ids IS NOT NULL
  AND chosen.value IN (SELECT id FROM accounts);
