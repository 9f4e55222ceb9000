-- Personal notes on usage events (seed 002): one note per event per author, seen only by its
-- author (and by platform admins). organization_id is kept so every read stays inside one tenant.
CREATE TABLE usage_note (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  organization_id BIGINT NOT NULL,
  usage_event_id BIGINT NOT NULL,
  author_user_id BIGINT NOT NULL,
  body VARCHAR(1000) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  CONSTRAINT uq_usage_note_author UNIQUE (usage_event_id, author_user_id),
  CONSTRAINT fk_usage_note_organization FOREIGN KEY (organization_id) REFERENCES organization (id),
  CONSTRAINT fk_usage_note_event FOREIGN KEY (usage_event_id) REFERENCES usage_event (id),
  CONSTRAINT fk_usage_note_author FOREIGN KEY (author_user_id) REFERENCES app_user (id)
);
