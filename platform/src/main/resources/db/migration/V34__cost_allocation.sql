-- Cost-center allocation (issue 17): cost centers, the rules that map usage dimension values to them
-- with percentage splits, and a rollup of usage by its four allocation dimensions together.

-- An organization's cost centers. Archived ones keep their code and their place in reports of
-- periods they received costs in.
CREATE TABLE cost_center (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  code VARCHAR(32) NOT NULL,
  name VARCHAR(200) NOT NULL,
  archived BOOLEAN NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_cost_center_code UNIQUE (organization_id, code),
  CONSTRAINT fk_cost_center_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);

-- A rule: usage whose dimension (ACCOUNT_ID, PROJECT, TEAM, DEPARTMENT) has this value goes to the
-- cost centers of its splits. One rule per dimension value; precedence between dimensions is in code
-- (AllocationDimension).
CREATE TABLE allocation_rule (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  dimension VARCHAR(16) NOT NULL,
  dimension_value VARCHAR(128) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_allocation_rule_value UNIQUE (organization_id, dimension, dimension_value),
  CONSTRAINT fk_allocation_rule_organization FOREIGN KEY (organization_id) REFERENCES organization (id)
);

-- A rule's shares: percents with at most 2 decimals adding up to exactly 100 (checked before writing).
CREATE TABLE allocation_split (
  rule_id BIGINT NOT NULL,
  cost_center_id BIGINT NOT NULL,
  percent DECIMAL(5, 2) NOT NULL,
  PRIMARY KEY (rule_id, cost_center_id),
  CONSTRAINT fk_allocation_split_rule FOREIGN KEY (rule_id) REFERENCES allocation_rule (id) ON DELETE CASCADE,
  CONSTRAINT fk_allocation_split_cost_center FOREIGN KEY (cost_center_id) REFERENCES cost_center (id)
);
CREATE INDEX ix_allocation_split_cost_center ON allocation_split (cost_center_id);

-- usage_rollup also keeps dimension ALLOCATION: an event's account ID, project, team and department
-- joined by U+001F (no dimension value holds a control character), so precedence between rules of
-- different dimensions applies to each event's combination, which the per-dimension rows cannot tell.
-- Four values of up to 128 characters and three separators: dimension_value widens to 520.
-- The rows rolled up so far have no ALLOCATION rows: emptied here, and the roller folds every event in
-- again from the start (sessions too, as they are folded in the same roll), as V15, V17 and V28 did.
DELETE FROM usage_rollup;
DELETE FROM usage_session;
DELETE FROM usage_rollup_gap;
UPDATE usage_rollup_progress SET last_event_id = 0, rolled_at = '1970-01-01 00:00:00' WHERE id = 1;
ALTER TABLE usage_rollup MODIFY dimension_value VARCHAR(520) NOT NULL;
