package io.meterline.platform.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The alerts list, counts and acknowledging over /graphql. */
class AlertQueryIT extends ServerTest {

    private static final String PAGE = "query($org: ID, $first: Int, $after: String, $status: AlertStatus, $kinds: [String!], $levels: [AlertLevel!], $afterSequence: Long) {"
            + " alerts(organizationId: $org, first: $first, after: $after, status: $status, kinds: $kinds, levels: $levels, afterSequence: $afterSequence) {"
            + " totalCount pageInfo { hasNextPage endCursor } nodes { id sequence kind level subject acknowledgedAt acknowledgedBy { email } } } }";
    private static final String ACKNOWLEDGE = "mutation($id: ID!) { alertAcknowledge(input: {id: $id}) {"
            + " alert { id acknowledgedAt acknowledgedBy { email } } userErrors { field message code } } }";

    @Inject
    ApplicationEventPublisher<AlertRequest> alertRequests;

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    Fixtures.Tenant a;
    Fixtures.Tenant b;
    long aId;
    long bId;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        a = Fixtures.tenant(api, "query-a", "UTC");
        b = Fixtures.tenant(api, "query-b", "UTC");
        aId = GlobalId.decode(a.organizationId()).orElseThrow().id();
        bId = GlobalId.decode(b.organizationId()).orElseThrow().id();
        String[][] alerts = {{"BUDGET_THRESHOLD", "WARNING"}, {"BUDGET_THRESHOLD", "CAUTION"}, {"BALANCE_LOW", "CRITICAL"}, {"BUDGET_THRESHOLD", "EXCEEDED"}, {"BALANCE_LOW", "WARNING"}};
        for (int i = 0; i < alerts.length; i++) {
            alertRequests.publishEvent(new AlertRequest(aId, alerts[i][0], alerts[i][1], "a:" + i, "Subject " + i, "Message " + i, Map.of("index", i)));
        }
        alertRequests.publishEvent(new AlertRequest(bId, "BUDGET_THRESHOLD", "WARNING", "b:0", "B subject", "B message", Map.of()));
        alertRequests.publishEvent(new AlertRequest(bId, "BUDGET_THRESHOLD", "CAUTION", "b:1", "B subject", "B message", Map.of()));
    }

    private TestApi.Response page(String token, Map<String, Object> variables) {
        return api.graphql(token, PAGE, variables);
    }

    @Test
    void alertsAreListedNewestFirstAndPaged() {
        TestApi.Response first = page(a.memberToken(), Map.of("first", 2, "status", "ALL"));
        assertThat(first.at("data.alerts.totalCount")).isEqualTo(5);
        assertThat(first.pluck("data.alerts.nodes", "subject")).containsExactly("Subject 4", "Subject 3");
        assertThat(first.pluck("data.alerts.nodes", "sequence")).containsExactly(5, 4);
        assertThat(first.at("data.alerts.pageInfo.hasNextPage")).isEqualTo(true);
        TestApi.Response second = page(a.memberToken(), Map.of("first", 2, "status", "ALL", "after", first.at("data.alerts.pageInfo.endCursor")));
        assertThat(second.pluck("data.alerts.nodes", "subject")).containsExactly("Subject 2", "Subject 1");
        TestApi.Response last = page(a.memberToken(), Map.of("first", 2, "status", "ALL", "after", second.at("data.alerts.pageInfo.endCursor")));
        assertThat(last.pluck("data.alerts.nodes", "subject")).containsExactly("Subject 0");
        assertThat(last.at("data.alerts.pageInfo.hasNextPage")).isEqualTo(false);
    }

    @Test
    void alertsAreFilteredByKindLevelAndSequence() {
        assertThat(page(a.adminToken(), Map.of("status", "ALL", "levels", List.of("WARNING"))).pluck("data.alerts.nodes", "subject")).containsExactly("Subject 4", "Subject 0");
        assertThat(page(a.adminToken(), Map.of("status", "ALL", "kinds", List.of("BALANCE_LOW"))).pluck("data.alerts.nodes", "subject")).containsExactly("Subject 4", "Subject 2");
        assertThat(page(a.adminToken(), Map.of("status", "ALL", "kinds", List.of("BALANCE_LOW"), "levels", List.of("CRITICAL"))).at("data.alerts.totalCount")).isEqualTo(1);
        assertThat(page(a.adminToken(), Map.of("status", "ALL", "afterSequence", 3)).pluck("data.alerts.nodes", "sequence")).containsExactly(5, 4);
        assertThat(page(a.adminToken(), Map.of("status", "ALL", "kinds", List.of())).at("data.alerts.totalCount")).isEqualTo(0);
        // B's alerts are numbered on their own.
        assertThat(page(b.adminToken(), Map.of("status", "ALL")).pluck("data.alerts.nodes", "sequence")).containsExactly(2, 1);
    }

    @Test
    void badPagingArgumentsAreRefused() {
        assertThat(page(a.adminToken(), Map.of("first", 0)).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(page(a.adminToken(), Map.of("first", 101)).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(page(a.adminToken(), Map.of("after", "not-a-cursor")).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(page(a.adminToken(), Map.of("levels", List.of("LOUD"))).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(page(api.adminToken(), Map.of("afterSequence", 1)).at("errors.0.extensions.code")).as("sequences count per organization").isEqualTo("BAD_USER_INPUT");
    }

    @Test
    void platformAdminsNamingNoOrganizationListEveryOrganizationsAlerts() {
        String admin = api.adminToken();
        long all = rows.count("SELECT COUNT(*) FROM alert");
        TestApi.Response everything = page(admin, Map.of("status", "ALL", "first", 100));
        assertThat(everything.at("data.alerts.totalCount")).isEqualTo((int) all);
        assertThat(everything.pluck("data.alerts.nodes", "subject")).contains("B subject", "Subject 4", "Subject 0");
        List<Object> ids = everything.pluck("data.alerts.nodes", "id");
        List<Long> numeric = ids.stream().map(id -> GlobalId.require((String) id, "Alert")).toList();
        assertThat(numeric).as("newest first across organizations").isSortedAccordingTo(java.util.Comparator.reverseOrder());
        TestApi.Response firstTwo = page(admin, Map.of("status", "ALL", "first", 2));
        TestApi.Response next = page(admin, Map.of("status", "ALL", "first", 2, "after", firstTwo.at("data.alerts.pageInfo.endCursor")));
        assertThat(next.pluck("data.alerts.nodes", "id")).isEqualTo(ids.subList(2, 4));
        long active = rows.count("SELECT COUNT(*) FROM alert WHERE acknowledged_at IS NULL");
        assertThat(page(admin, Map.of()).at("data.alerts.totalCount")).isEqualTo((int) active);
        // Organization users naming none still see only their own.
        assertThat(page(b.adminToken(), Map.of("status", "ALL", "first", 100)).pluck("data.alerts.nodes", "subject")).containsOnly("B subject");
    }

    @Test
    void acknowledgingRecordsWhoAndWhenOnceAndAnswersInvalidStateTheSecondTime() {
        String id = (String) page(b.memberToken(), Map.of("levels", List.of("CAUTION"))).at("data.alerts.nodes.0.id");
        long activeBefore = ((Number) api.graphql(b.adminToken(), "{ activeAlertCount }").at("data.activeAlertCount")).longValue();

        TestApi.Response acknowledged = api.graphql(b.memberToken(), ACKNOWLEDGE, Map.of("id", id));
        assertThat(acknowledged.at("data.alertAcknowledge.userErrors")).isEqualTo(List.of());
        assertThat(acknowledged.at("data.alertAcknowledge.alert.acknowledgedAt")).isNotNull();
        assertThat(acknowledged.at("data.alertAcknowledge.alert.acknowledgedBy.email")).isEqualTo("member@query-b.test");
        assertThat(api.graphql(b.adminToken(), "{ activeAlertCount }").at("data.activeAlertCount")).isEqualTo((int) activeBefore - 1);
        assertThat(page(b.adminToken(), Map.of("status", "ACKNOWLEDGED")).pluck("data.alerts.nodes", "id")).contains(id);
        assertThat(page(b.adminToken(), Map.of()).pluck("data.alerts.nodes", "id")).doesNotContain(id);
        Object at = rows.value("SELECT acknowledged_at FROM alert WHERE id = ?", GlobalId.require(id, "Alert"));

        TestApi.Response again = api.graphql(b.adminToken(), ACKNOWLEDGE, Map.of("id", id));
        assertThat(again.at("data.alertAcknowledge.alert")).isNull();
        assertThat(again.codes("data.alertAcknowledge.userErrors")).containsExactly("INVALID_STATE");
        assertThat(again.at("data.alertAcknowledge.userErrors.0.field")).isEqualTo(List.of("input", "id"));
        assertThat(rows.value("SELECT acknowledged_at FROM alert WHERE id = ?", GlobalId.require(id, "Alert"))).isEqualTo(at);
        assertThat(rows.count("SELECT COUNT(*) FROM alert a JOIN app_user u ON u.id = a.acknowledged_by WHERE a.id = ? AND u.email = 'member@query-b.test'",
                GlobalId.require(id, "Alert"))).isEqualTo(1);
    }

    @Test
    void platformAdminsAcknowledgeAnyOrganizationsAlert() {
        String id = (String) page(b.adminToken(), Map.of("levels", List.of("WARNING"))).at("data.alerts.nodes.0.id");
        TestApi.Response acknowledged = api.graphql(api.adminToken(), ACKNOWLEDGE, Map.of("id", id));
        assertThat(acknowledged.at("data.alertAcknowledge.alert.acknowledgedBy.email")).isEqualTo(TestApi.ADMIN_EMAIL);
    }

    @Test
    void acknowledgingAnUnknownOrForeignAlertIsNotFoundAndChangesNothing() {
        String foreign = (String) page(a.adminToken(), Map.of("status", "ALL", "first", 1)).at("data.alerts.nodes.0.id");
        long active = rows.count("SELECT COUNT(*) FROM alert WHERE acknowledged_at IS NULL");
        for (String id : List.of(foreign, "not-an-id", GlobalId.encode("Alert", 999_999), GlobalId.encode("Organization", GlobalId.require(foreign, "Alert")))) {
            TestApi.Response response = api.graphql(b.adminToken(), ACKNOWLEDGE, Map.of("id", id));
            assertThat(response.at("errors.0.extensions.code")).as(id).isEqualTo("NOT_FOUND");
        }
        assertThat(rows.count("SELECT COUNT(*) FROM alert WHERE acknowledged_at IS NULL")).isEqualTo(active);
    }

    @Test
    void activeAlertCountsPerOrganizationAndForPlatformAdminsAcrossAll() {
        long aActive = rows.count("SELECT COUNT(*) FROM alert WHERE acknowledged_at IS NULL AND organization_id = ?", aId);
        long allActive = rows.count("SELECT COUNT(*) FROM alert WHERE acknowledged_at IS NULL");
        String admin = api.adminToken();
        assertThat(((Number) api.graphql(a.memberToken(), "{ activeAlertCount }").at("data.activeAlertCount")).longValue()).isEqualTo(aActive);
        assertThat(((Number) api.graphql(admin, "{ activeAlertCount(organizationId: \"" + a.organizationId() + "\") }").at("data.activeAlertCount")).longValue()).isEqualTo(aActive);
        assertThat(((Number) api.graphql(admin, "{ activeAlertCount }").at("data.activeAlertCount")).longValue()).isEqualTo(allActive);
        assertThat(allActive).isGreaterThanOrEqualTo(aActive);
    }

    @Test
    void anAlertIsANode() {
        String id = (String) page(a.adminToken(), Map.of("status", "ALL", "first", 1)).at("data.alerts.nodes.0.id");
        TestApi.Response node = api.graphql(a.memberToken(), "query($id: ID!) { node(id: $id) { id ... on Alert { subject data organization { slug } } } }", Map.of("id", id));
        assertThat(node.at("data.node.subject")).isEqualTo("Subject 4");
        assertThat(node.at("data.node.data")).isEqualTo(Map.of("index", 4));
        assertThat(node.at("data.node.organization.slug")).isEqualTo("query-a");
        assertThat(api.graphql(b.memberToken(), "query($id: ID!) { node(id: $id) { id } }", Map.of("id", id)).at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
    }
}
