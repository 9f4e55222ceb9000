package io.meterline.platform.common.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UpsertTest {

    private static final Upsert SESSION = Upsert.into("usage_session", "organization_id", "session_key", "first_at", "last_at", "requests", "cost", "note")
            .least("first_at").greatest("last_at").add("requests", "cost").replace("note").build();

    @Test
    void mariaDbAndH2NameTheNewRowWithValues() {
        assertThat(SESSION.sql(SqlDialect.VALUES_FUNCTION)).isEqualTo(
                "INSERT INTO usage_session (organization_id, session_key, first_at, last_at, requests, cost, note) VALUES (?, ?, ?, ?, ?, ?, ?)"
                        + " ON DUPLICATE KEY UPDATE first_at = LEAST(first_at, VALUES(first_at)), last_at = GREATEST(last_at, VALUES(last_at)),"
                        + " requests = requests + VALUES(requests), cost = cost + VALUES(cost), note = VALUES(note)");
    }

    @Test
    void mySqlNamesTheNewRowWithARowAlias() {
        assertThat(SESSION.sql(SqlDialect.ROW_ALIAS)).isEqualTo(
                "INSERT INTO usage_session (organization_id, session_key, first_at, last_at, requests, cost, note) VALUES (?, ?, ?, ?, ?, ?, ?) AS new"
                        + " ON DUPLICATE KEY UPDATE first_at = LEAST(first_at, new.first_at), last_at = GREATEST(last_at, new.last_at),"
                        + " requests = requests + new.requests, cost = cost + new.cost, note = new.note");
        assertThat(SESSION.sql(SqlDialect.ROW_ALIAS)).doesNotContain("VALUES(");
    }

    @Test
    void theStatementIsBuiltOnceNotPerCall() {
        assertThat(SESSION.sql(SqlDialect.VALUES_FUNCTION)).isSameAs(SESSION.sql(SqlDialect.VALUES_FUNCTION));
    }

    @Test
    void onlyInsertedColumnsCanBeUpdated() {
        assertThatThrownBy(() -> Upsert.into("budget_counter", "budget_id", "consumed").add("reserved"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
        assertThatThrownBy(() -> Upsert.into("budget_counter", "budget_id", "consumed").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Upsert.into("budget_counter"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
