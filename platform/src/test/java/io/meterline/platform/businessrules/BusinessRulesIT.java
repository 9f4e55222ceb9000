package io.meterline.platform.businessrules;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Seed 000's Business Rules: save (up to 64 KiB, with who and when), read, clear. */
class BusinessRulesIT extends ServerTest {

    static final String SAVE = "mutation($input: BusinessRulesSaveInput!) { businessRulesSave(input: $input) { businessRules { text updatedBy updatedAt }"
            + " userErrors { field code message } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    Fixtures.Tenant tenant;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "fleet", "UTC");
    }

    @Test
    void rulesAreSavedReadAndClearedWithWhoAndWhen() {
        assertThat(api.graphql(tenant.memberToken(), "{ businessRules { text } }").at("data.businessRules")).isNull();
        String text = "Oil change: every 10,000 km\nBrakes: every 40,000 km — ✓";
        TestApi.Response saved = api.graphql(tenant.adminToken(), SAVE, Map.of("input", Map.of("text", text)));
        assertThat(saved.at("data.businessRulesSave.businessRules.text")).as(saved.body()).isEqualTo(text);
        assertThat(saved.at("data.businessRulesSave.businessRules.updatedBy")).isEqualTo("admin@fleet.test");
        assertThat(api.graphql(tenant.memberToken(), "{ businessRules { text updatedBy } }").at("data.businessRules.text")).isEqualTo(text);
        String exactly64KiB = "é".repeat(32 * 1024);
        assertThat(api.graphql(tenant.adminToken(), SAVE, Map.of("input", Map.of("text", exactly64KiB))).at("data.businessRulesSave.userErrors"))
                .isEqualTo(java.util.List.of());
        TestApi.Response cleared = api.graphql(tenant.adminToken(), "mutation { businessRulesClear { businessRules { text updatedBy updatedAt } userErrors { code } } }");
        assertThat(cleared.at("data.businessRulesClear.businessRules.text")).as(cleared.body()).isNull();
        assertThat(cleared.at("data.businessRulesClear.businessRules.updatedBy")).isEqualTo("admin@fleet.test");
        assertThat(api.graphql(tenant.memberToken(), "{ businessRules { text updatedAt } }").at("data.businessRules.text")).isNull();
    }

    @Test
    void badInputIsRefusedWithATypedErrorAndNothingIsStored() {
        api.graphql(tenant.adminToken(), SAVE, Map.of("input", Map.of("text", "Keep me")));
        String tooLong = "é".repeat(32 * 1024) + "x";
        TestApi.Response refused = api.graphql(tenant.adminToken(), SAVE, Map.of("input", Map.of("text", tooLong)));
        assertThat(refused.at("data.businessRulesSave.businessRules")).as(refused.body()).isNull();
        assertThat(refused.codes("data.businessRulesSave.userErrors")).containsExactly("LENGTH");
        assertThat(api.graphql(tenant.adminToken(), SAVE, Map.of("input", Map.of("text", "   "))).codes("data.businessRulesSave.userErrors")).containsExactly("BLANK");
        assertThat(api.graphql(tenant.memberToken(), SAVE, Map.of("input", Map.of("text", "member"))).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(api.graphql(tenant.memberToken(), "mutation { businessRulesClear { userErrors { code } } }").at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(rows.value("SELECT content FROM business_rules")).isEqualTo("Keep me");
        assertThat(rows.count("SELECT COUNT(*) FROM business_rules")).isEqualTo(1);
    }
}
