-- Refresh token rotation with reuse detection, and per-user token versions (issue 15, parts 4 and 5).

-- A sign-in's refresh tokens form a family: every exchange spends the presented token and adds its
-- successor to the family; presenting a spent token again revokes the whole family.
ALTER TABLE refresh_token ADD COLUMN family_id VARCHAR(64) NOT NULL DEFAULT '';
ALTER TABLE refresh_token ADD COLUMN spent BOOLEAN NOT NULL DEFAULT FALSE;
-- Tokens issued before this migration are each a family of their own.
UPDATE refresh_token SET family_id = CONCAT('legacy-', CAST(id AS CHAR));
CREATE INDEX ix_refresh_token_family ON refresh_token (family_id);

-- Bumped by every change that must end the user's existing access tokens (role, password, email);
-- access tokens carry it in the "ver" claim and are refused once it is lower than this.
ALTER TABLE app_user ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;
