package io.meterline.platform.accountid;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tool user signs in with an Account ID: the token records usage attributed to that Account ID,
 * reads its own usage and the business rules, and nothing else; suspended or archived ones are
 * refused, also with a token issued before; failures are throttled.
 */
class AccountIdSignInIT extends ServerTest {

    static final String SIGN_IN = "mutation($input: AccountIdSignInInput!) { accountIdSignIn(input: $input) { accessToken expiresAt code label userErrors { field code message } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    Fixtures.Tenant tenant;
    Fixtures.Tenant other;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "workshop", "America/Toronto");
        other = Fixtures.tenant(api, "workshop-other", "UTC");
        api.graphql(other.adminToken(), "mutation { businessRulesSave(input: {text: \"Other rules\"}) { userErrors { code } } }");
    }

    String accountId(String code) {
        TestApi.Response response = api.graphql(tenant.adminToken(), AccountIdIT.CREATE, Map.of("input", Map.of("code", code, "label", "Tool " + code)));
        String id = (String) response.at("data.accountIdCreate.accountId.id");
        assertThat(id).as(response.body()).isNotNull();
        return id;
    }

    TestApi.Response signIn(String organization, String code) {
        return api.graphql(null, SIGN_IN, Map.of("input", Map.of("organization", organization, "code", code)));
    }

    String token(String code) {
        TestApi.Response response = signIn("workshop", code);
        String token = (String) response.at("data.accountIdSignIn.accessToken");
        assertThat(token).as(response.body()).isNotNull();
        return token;
    }

    static String event(String id, String accountId) {
        String dimensions = accountId == null ? "" : ", dimensions: {account_id: \"" + accountId + "\"}";
        return "mutation { usageRecord(input: {events: [{id: \"" + id + "\", timestamp: \"" + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + "\", provider: \"openai\", model: \"gpt-4o\", meters: {input_tokens: 700}" + dimensions + "}]}) { results { outcome } userErrors { code message } } }";
    }

    @Test
    void theTokenRecordsAndReadsItsOwnUsageAndTheBusinessRulesAndNothingElse() {
        accountId("TOOL-01");
        api.graphql(tenant.adminToken(), "mutation { businessRulesSave(input: {text: \"Oil: 10,000 km\"}) { userErrors { code } } }");
        TestApi.Response signedIn = signIn(" Workshop ", "tool-01");
        assertThat(signedIn.at("data.accountIdSignIn.code")).as(signedIn.body()).isEqualTo("TOOL-01");
        assertThat(signedIn.at("data.accountIdSignIn.label")).isEqualTo("Tool TOOL-01");
        assertThat(Instant.parse((String) signedIn.at("data.accountIdSignIn.expiresAt"))).isAfter(Instant.now().plusSeconds(3600));
        String token = (String) signedIn.at("data.accountIdSignIn.accessToken");

        TestApi.Response recorded = api.graphql(token, event("tool-e1", null));
        assertThat(recorded.at("data.usageRecord.results.0.outcome")).as(recorded.body()).isEqualTo("ACCEPTED");
        assertThat(api.graphql(token, event("tool-e2", "TOOL-01")).at("data.usageRecord.results.0.outcome")).isEqualTo("ACCEPTED");
        assertThat(rows.value("SELECT account_id FROM usage_event WHERE event_id = 'tool-e1'")).isEqualTo("TOOL-01");

        long events = rows.count("SELECT COUNT(*) FROM usage_event");
        TestApi.Response foreign = api.graphql(token, event("tool-e3", "SOMEONE-ELSE"));
        assertThat(foreign.codes("data.usageRecord.userErrors")).as(foreign.body()).containsExactly("INVALID");
        assertThat(rows.count("SELECT COUNT(*) FROM usage_event")).isEqualTo(events);

        TestApi.Response own = api.graphql(token, "{ accountIdViewer { code label status tokensToday tokensThisMonth dailyUsage(days: 1) { tokens } } }");
        assertThat(own.at("data.accountIdViewer.code")).as(own.body()).isEqualTo("TOOL-01");
        assertThat(own.at("data.accountIdViewer.tokensToday")).isEqualTo(1400);
        assertThat(own.at("data.accountIdViewer.dailyUsage.0.tokens")).isEqualTo(1400);
        assertThat(api.graphql(token, "{ businessRules { text updatedBy } }").at("data.businessRules.text")).isEqualTo("Oil: 10,000 km");
        assertThat(api.graphql(token, "{ businessRules(organizationId: \"" + other.organizationId() + "\") { text } }").at("errors.0.extensions.code"))
                .isEqualTo("NOT_FOUND");

        for (String forbidden : List.of("{ viewer { user { email } } }", "{ usageSummary { tokens } }", "{ usageEvents { nodes { eventId } } }",
                "{ accountIds { nodes { code } } }", "{ budgets { nodes { name } } }", "{ apiKeys { nodes { prefix } } }",
                "{ node(id: \"" + tenant.organizationId() + "\") { id } }", "{ accountIdViewer { dailyLimitBudget { name } } }",
                "mutation { businessRulesSave(input: {text: \"hijack\"}) { userErrors { code } } }",
                "mutation { accountIdCreate(input: {code: \"MINE-01\", label: \"x\"}) { userErrors { code } } }",
                "mutation { usageAuthorize(input: {provider: \"openai\", model: \"gpt-4o\", estimate: {tokens: 1}}) { authorization { decision } } }",
                "{ accountIdViewer { code } usageSummary { tokens } }")) {
            TestApi.Response response = api.graphql(token, forbidden);
            assertThat(response.at("errors.0.extensions.code")).as(forbidden + ": " + response.body()).isEqualTo("FORBIDDEN");
            assertThat(response.at("data")).as(forbidden).isNull();
        }
        assertThat(rows.value("SELECT content FROM business_rules b JOIN organization o ON o.id = b.organization_id WHERE o.slug = 'workshop'"))
                .isEqualTo("Oil: 10,000 km");
        assertThat(rows.count("SELECT COUNT(*) FROM account_id WHERE code = 'MINE-01'")).isZero();
        assertThat(api.graphql(tenant.adminToken(), "{ accountIdViewer { code } }").at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
    }

    @Test
    void suspendedAndArchivedAccountIdsAreRefusedAtSignInAndOnTheirNextRequest() {
        String id = accountId("TOOL-02");
        String token = token("TOOL-02");
        assertThat(api.graphql(token, "{ accountIdViewer { code } }").at("data.accountIdViewer.code")).isEqualTo("TOOL-02");
        api.graphql(tenant.adminToken(), AccountIdIT.status("accountIdSuspend"), Map.of("input", Map.of("id", id)));
        TestApi.Response refused = api.graphql(token, "{ accountIdViewer { code } }");
        assertThat(refused.at("errors.0.extensions.code")).as(refused.body()).isEqualTo("UNAUTHENTICATED");
        assertThat(refused.at("errors.0.message")).isEqualTo("Account ID TOOL-02 is suspended");
        long events = rows.count("SELECT COUNT(*) FROM usage_event");
        assertThat(api.graphql(token, event("suspended-e1", null)).at("errors.0.extensions.code")).isEqualTo("UNAUTHENTICATED");
        assertThat(rows.count("SELECT COUNT(*) FROM usage_event")).isEqualTo(events);
        TestApi.Response suspendedSignIn = signIn("workshop", "TOOL-02");
        assertThat(suspendedSignIn.at("data.accountIdSignIn.accessToken")).isNull();
        assertThat(suspendedSignIn.codes("data.accountIdSignIn.userErrors")).containsExactly("INVALID_STATE");

        api.graphql(tenant.adminToken(), AccountIdIT.status("accountIdReactivate"), Map.of("input", Map.of("id", id)));
        assertThat(api.graphql(token, "{ accountIdViewer { status } }").at("data.accountIdViewer.status")).isEqualTo("ACTIVE");
        api.graphql(tenant.adminToken(), AccountIdIT.status("accountIdArchive"), Map.of("input", Map.of("id", id)));
        assertThat(api.graphql(token, "{ businessRules { text } }").at("errors.0.message")).isEqualTo("Account ID TOOL-02 is archived");
        assertThat(signIn("workshop", "TOOL-02").codes("data.accountIdSignIn.userErrors")).containsExactly("INVALID_STATE");
    }

    @Test
    void unknownCodesAndOrganizationsAreRefusedAndAnonymousCallersReachNothingElse() {
        accountId("TOOL-03");
        assertThat(signIn("workshop-other", "TOOL-03").codes("data.accountIdSignIn.userErrors")).containsExactly("NOT_FOUND");
        assertThat(signIn("no-such-org", "TOOL-03").codes("data.accountIdSignIn.userErrors")).containsExactly("NOT_FOUND");
        assertThat(signIn("workshop", "").codes("data.accountIdSignIn.userErrors")).containsExactly("BLANK");
        for (String anonymous : List.of("{ viewer { user { email } } }", "mutation { ping }",
                "mutation { accountIdSignIn(input: {organization: \"workshop\", code: \"TOOL-03\"}) { accessToken } ping }")) {
            TestApi.Response response = api.graphql(null, anonymous);
            assertThat(response.at("errors.0.extensions.code")).as(anonymous + ": " + response.body()).isEqualTo("UNAUTHENTICATED");
        }
    }

    @Test
    void repeatedFailuresAreThrottledPerCodeAndClientAddressWithATypedError() {
        accountId("TOOL-04");
        for (int i = 0; i < 5; i++) {
            assertThat(signIn("workshop", "TOOL-4" + i).codes("data.accountIdSignIn.userErrors")).containsExactly("NOT_FOUND");
        }
        assertThat(token("TOOL-04")).isNotBlank();
        long attempts = rows.count("SELECT COUNT(*) FROM account_id_sign_in_attempt");
        for (int i = 0; i < 5; i++) {
            signIn("workshop", "TOOL-05");
        }
        TestApi.Response throttled = signIn("workshop", "TOOL-05");
        assertThat(throttled.codes("data.accountIdSignIn.userErrors")).as(throttled.body()).containsExactly("THROTTLED");
        assertThat(throttled.at("data.accountIdSignIn.accessToken")).isNull();
        assertThat(rows.count("SELECT COUNT(*) FROM account_id_sign_in_attempt")).isEqualTo(attempts + 5);
        accountId("TOOL-05");
        assertThat(signIn("workshop", "TOOL-05").codes("data.accountIdSignIn.userErrors")).as("a right code is throttled too").containsExactly("THROTTLED");
        assertThat(token("TOOL-04")).as("other codes from the address still sign in").isNotBlank();
    }
}
