package io.meterline.platform.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Seed 004's teams, departments and projects: create, rename, archive, members, and usage keys without a group. */
class AttributionIT extends ServerTest {

    static final String CREATE = "mutation($input: AttributionGroupCreateInput!) { attributionGroupCreate(input: $input) { attributionGroup { id kind key name archived"
            + " members { email } } userErrors { field code message } } }";
    static final String MEMBER_ADD = "mutation($input: AttributionMemberInput!) { attributionMemberAdd(input: $input) { attributionGroup { key members { email } }"
            + " userErrors { field code message } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    Fixtures.Tenant tenant;
    Fixtures.Tenant other;
    String memberId;
    String adminId;
    String otherUserId;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "garage", "Europe/Berlin");
        other = Fixtures.tenant(api, "garage-other", "UTC");
        memberId = (String) api.graphql(tenant.memberToken(), "{ viewer { user { id } } }").at("data.viewer.user.id");
        adminId = (String) api.graphql(tenant.adminToken(), "{ viewer { user { id } } }").at("data.viewer.user.id");
        otherUserId = (String) api.graphql(other.memberToken(), "{ viewer { user { id } } }").at("data.viewer.user.id");
    }

    String create(String kind, String key, String name) {
        TestApi.Response response = api.graphql(tenant.adminToken(), CREATE, Map.of("input", Map.of("kind", kind, "key", key, "name", name)));
        String id = (String) response.at("data.attributionGroupCreate.attributionGroup.id");
        assertThat(id).as(response.body()).isNotNull();
        return id;
    }

    @Test
    void groupsAreCreatedRenamedArchivedAndHoldMembers() {
        String support = create("TEAM", "support", "Support");
        String sales = create("TEAM", "sales", "Sales");
        String ops = create("DEPARTMENT", "ops", "Operations");
        String finance = create("DEPARTMENT", "finance", "Finance");
        create("PROJECT", "helpdesk", "Helpdesk");

        for (String team : List.of(support, sales)) {
            TestApi.Response added = api.graphql(tenant.adminToken(), MEMBER_ADD, Map.of("input", Map.of("groupId", team, "userId", memberId)));
            assertThat(added.at("data.attributionMemberAdd.userErrors")).as(added.body()).isEqualTo(List.of());
        }
        api.graphql(tenant.adminToken(), MEMBER_ADD, Map.of("input", Map.of("groupId", ops, "userId", memberId)));
        TestApi.Response moved = api.graphql(tenant.adminToken(), MEMBER_ADD, Map.of("input", Map.of("groupId", finance, "userId", memberId)));
        assertThat(moved.pluck("data.attributionMemberAdd.attributionGroup.members", "email")).containsExactly("member@garage.test");
        TestApi.Response user = api.graphql(tenant.memberToken(), "query($id: ID!) { node(id: $id) { ... on User { teams { key } department { key } } } }", Map.of("id", memberId));
        assertThat(user.pluck("data.node.teams", "key")).as(user.body()).containsExactly("support", "sales");
        assertThat(user.at("data.node.department.key")).as("one department: the newest replaces the old").isEqualTo("finance");

        TestApi.Response renamed = api.graphql(tenant.adminToken(), "mutation($input: AttributionGroupRenameInput!) { attributionGroupRename(input: $input) {"
                + " attributionGroup { key name } userErrors { code } } }", Map.of("input", Map.of("id", support, "name", "Customer support")));
        assertThat(renamed.at("data.attributionGroupRename.attributionGroup")).as(renamed.body()).isEqualTo(Map.of("key", "support", "name", "Customer support"));
        TestApi.Response removed = api.graphql(tenant.adminToken(), "mutation($input: AttributionMemberInput!) { attributionMemberRemove(input: $input) {"
                + " attributionGroup { members { email } } userErrors { code } } }", Map.of("input", Map.of("groupId", sales, "userId", memberId)));
        assertThat(removed.at("data.attributionMemberRemove.attributionGroup.members")).as(removed.body()).isEqualTo(List.of());

        TestApi.Response archived = api.graphql(tenant.adminToken(), "mutation($input: AttributionGroupInput!) { attributionGroupArchive(input: $input) {"
                + " attributionGroup { archived } userErrors { code } } }", Map.of("input", Map.of("id", sales)));
        assertThat(archived.at("data.attributionGroupArchive.attributionGroup.archived")).isEqualTo(true);
        TestApi.Response teams = api.graphql(tenant.memberToken(), "{ attributionGroups(kind: TEAM, first: 100) { totalCount nodes { key name members { email } } } }");
        assertThat(teams.pluck("data.attributionGroups.nodes", "key")).as(teams.body()).contains("support").doesNotContain("sales");
        TestApi.Response withArchived = api.graphql(tenant.memberToken(), "{ attributionGroups(kind: TEAM, includeArchived: true, first: 100) { totalCount nodes { key } } }");
        assertThat(withArchived.pluck("data.attributionGroups.nodes", "key")).contains("support", "sales");
        assertThat(withArchived.at("data.attributionGroups.totalCount")).isEqualTo(((Number) teams.at("data.attributionGroups.totalCount")).intValue() + 1);
        assertThat(api.graphql(tenant.memberToken(), CREATE, Map.of("input", Map.of("kind", "TEAM", "key", "members-cannot"))).at("errors.0.extensions.code"))
                .isEqualTo("FORBIDDEN");
    }

    @Test
    void badInputIsRefusedWithATypedErrorAndNothingIsStored() {
        String team = create("TEAM", "night-shift", "Night shift");
        String project = create("PROJECT", "overhaul", "Overhaul");
        long groups = rows.count("SELECT COUNT(*) FROM attribution_group");
        long members = rows.count("SELECT COUNT(*) FROM attribution_member");
        Map<String, Map<String, Object>> cases = Map.of(
                "TAKEN", Map.of("kind", "TEAM", "key", "night-shift"),
                "BLANK", Map.of("kind", "TEAM", "key", "  "),
                "LENGTH", Map.of("kind", "PROJECT", "key", "k".repeat(129)),
                "INVALID", Map.of("kind", "DEPARTMENT", "key", "tab\there"));
        cases.forEach((code, input) -> {
            TestApi.Response response = api.graphql(tenant.adminToken(), CREATE, Map.of("input", input));
            assertThat(response.at("data.attributionGroupCreate.attributionGroup")).as(response.body()).isNull();
            assertThat(response.codes("data.attributionGroupCreate.userErrors")).as(response.body()).containsExactly(code);
        });
        TestApi.Response foreignMember = api.graphql(tenant.adminToken(), MEMBER_ADD, Map.of("input", Map.of("groupId", team, "userId", otherUserId)));
        assertThat(foreignMember.codes("data.attributionMemberAdd.userErrors")).as(foreignMember.body()).containsExactly("NOT_FOUND");
        assertThat(foreignMember.body()).doesNotContain("garage-other");
        TestApi.Response projectMember = api.graphql(tenant.adminToken(), MEMBER_ADD, Map.of("input", Map.of("groupId", project, "userId", adminId)));
        assertThat(projectMember.codes("data.attributionMemberAdd.userErrors")).containsExactly("INVALID");
        TestApi.Response blankName = api.graphql(tenant.adminToken(), "mutation($input: AttributionGroupRenameInput!) { attributionGroupRename(input: $input) {"
                + " userErrors { code } } }", Map.of("input", Map.of("id", team, "name", " ")));
        assertThat(blankName.codes("data.attributionGroupRename.userErrors")).containsExactly("BLANK");
        assertThat(rows.count("SELECT COUNT(*) FROM attribution_group")).isEqualTo(groups);
        assertThat(rows.count("SELECT COUNT(*) FROM attribution_member")).isEqualTo(members);
        assertThat(rows.value("SELECT name FROM attribution_group WHERE group_key = 'night-shift'")).isEqualTo("Night shift");
    }

    @Test
    void unknownKeysInUsageAreAcceptedAndListedAsUnassigned() {
        create("TEAM", "known-team", "Known");
        create("PROJECT", "archived-project", "Old");
        String body = "{\"events\":[{\"id\":\"k1\",\"timestamp\":\"2026-05-01T00:00:00Z\",\"provider\":\"images\",\"model\":\"dall-e-3\",\"meters\":{\"images\":1},"
                + "\"dimensions\":{\"team\":\"known-team\",\"project\":\"archived-project\",\"department\":\"ghost-dept\"}},"
                + "{\"id\":\"k2\",\"timestamp\":\"2026-05-01T00:00:00Z\",\"provider\":\"images\",\"model\":\"dall-e-3\",\"meters\":{\"images\":1},"
                + "\"dimensions\":{\"team\":\"unknown-team\",\"project\":\"new-project\"}}]}";
        TestApi.Response recorded = api.usage(tenant.apiKey(), body);
        assertThat(recorded.status()).as(recorded.body()).isEqualTo(200);
        assertThat(api.usage(tenant.apiKey(), body.replace("\"k1\"", "\"k3\"").replace("\"k2\"", "\"k4\"")).status()).isEqualTo(200);
        String query = "query($kind: AttributionKind!) { unassignedAttributionKeys(kind: $kind) { kind key firstSeenAt } }";
        assertThat(api.graphql(tenant.memberToken(), query, Map.of("kind", "TEAM")).pluck("data.unassignedAttributionKeys", "key")).containsExactly("unknown-team");
        assertThat(api.graphql(tenant.memberToken(), query, Map.of("kind", "PROJECT")).pluck("data.unassignedAttributionKeys", "key")).containsExactly("new-project");
        assertThat(api.graphql(tenant.memberToken(), query, Map.of("kind", "DEPARTMENT")).pluck("data.unassignedAttributionKeys", "key")).containsExactly("ghost-dept");
        create("TEAM", "unknown-team", "Now known");
        assertThat(api.graphql(tenant.memberToken(), query, Map.of("kind", "TEAM")).at("data.unassignedAttributionKeys")).isEqualTo(List.of());
        assertThat(rows.count("SELECT COUNT(*) FROM usage_dimension_key WHERE key_value = 'unknown-team'")).isEqualTo(1);
        assertThat(api.graphql(other.adminToken(), query, Map.of("kind", "DEPARTMENT")).at("data.unassignedAttributionKeys")).isEqualTo(List.of());
    }
}
