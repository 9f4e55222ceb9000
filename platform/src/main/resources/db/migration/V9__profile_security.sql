-- Profile, company details, invitations and security settings (issue 4, second half).

-- A user's own settings beyond the sign-in row. No row, or a NULL time zone, follows the organization.
CREATE TABLE user_profile (
  user_id BIGINT NOT NULL PRIMARY KEY,
  phone VARCHAR(20) NULL,
  time_zone VARCHAR(64) NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_user_profile_user FOREIGN KEY (user_id) REFERENCES app_user (id)
);

-- The BILL TO block of an organization's invoices; no row until it was first saved.
CREATE TABLE company_details (
  organization_id BIGINT NOT NULL PRIMARY KEY,
  company_name VARCHAR(200) NOT NULL,
  contact_name VARCHAR(200) NULL,
  billing_email VARCHAR(254) NULL,
  billing_phone VARCHAR(20) NULL,
  address_line1 VARCHAR(200) NULL,
  address_line2 VARCHAR(200) NULL,
  city VARCHAR(100) NULL,
  region VARCHAR(100) NULL,
  postal_code VARCHAR(20) NULL,
  country CHAR(2) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  updated_by VARCHAR(254) NOT NULL,
  CONSTRAINT fk_company_details_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);

-- An invitation to join an organization. Only the SHA-256 of the emailed token is kept; the user
-- row is created when the invitation is accepted, so no half-made account can sign in.
CREATE TABLE invitation (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  email VARCHAR(254) NOT NULL,
  role VARCHAR(20) NOT NULL,
  display_name VARCHAR(200) NULL,
  token_hash CHAR(64) NOT NULL,
  invited_by VARCHAR(254) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  accepted_at DATETIME(6) NULL,
  revoked_at DATETIME(6) NULL,
  user_id BIGINT NULL,
  CONSTRAINT uq_invitation_token UNIQUE (token_hash),
  CONSTRAINT fk_invitation_organization FOREIGN KEY (organization_id) REFERENCES organization (id),
  CONSTRAINT fk_invitation_user FOREIGN KEY (user_id) REFERENCES app_user (id)
);
CREATE INDEX ix_invitation_organization ON invitation (organization_id, id);
CREATE INDEX ix_invitation_email ON invitation (email);

-- A requested change of sign-in email, waiting for the token sent to the new address (hash only).
CREATE TABLE email_change (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  new_email VARCHAR(254) NOT NULL,
  token_hash CHAR(64) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  confirmed_at DATETIME(6) NULL,
  superseded_at DATETIME(6) NULL,
  CONSTRAINT uq_email_change_token UNIQUE (token_hash),
  CONSTRAINT fk_email_change_user FOREIGN KEY (user_id) REFERENCES app_user (id)
);
CREATE INDEX ix_email_change_user ON email_change (user_id);

-- Failed sign-ins, shared by every instance: the throttle counts them per account (SHA-256 of the
-- normalized email, so unknown emails are throttled alike) and per client address within a window.
CREATE TABLE sign_in_failure (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  account_hash CHAR(64) NOT NULL,
  client_address VARCHAR(64) NOT NULL,
  failed_at DATETIME(6) NOT NULL
);
CREATE INDEX ix_sign_in_failure_account ON sign_in_failure (account_hash, failed_at);
CREATE INDEX ix_sign_in_failure_address ON sign_in_failure (client_address, failed_at);
CREATE INDEX ix_sign_in_failure_time ON sign_in_failure (failed_at);

-- Earlier password hashes of a user, so a password change cannot go back to a recent one.
CREATE TABLE password_history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  password_hash VARCHAR(100) NOT NULL,
  replaced_at DATETIME(6) NOT NULL,
  CONSTRAINT fk_password_history_user FOREIGN KEY (user_id) REFERENCES app_user (id)
);
CREATE INDEX ix_password_history_user ON password_history (user_id, id);
