package io.meterline.platform.usage;

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

/** Personal notes on usage events: only the author reads a note, platform admins read all, nobody writes on another tenant's event. */
class UsageNoteIT extends ServerTest {

    private static final String SET = "mutation($id: ID!, $text: String!) { usageNoteSet(input: {eventId: $id, text: $text}) {"
            + " event { eventId note { text authorEmail } } userErrors { field code message } } }";
    private static final String DELETE = "mutation($id: ID!) { usageNoteDelete(input: {eventId: $id}) { event { eventId note { text } } userErrors { code } } }";
    private static final String READ = "query($org: ID) { usageEvents(organizationId: $org) { nodes { eventId note { text authorEmail } notes { text authorEmail } } } }";

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    Fixtures.Tenant tenant;
    Fixtures.Tenant other;
    String eventId;
    String secondEventId;
    String otherEventId;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        tenant = Fixtures.tenant(api, "notes", "UTC");
        other = Fixtures.tenant(api, "notes-other", "UTC");
        String events = "{\"events\":[{\"id\":\"%s\",\"timestamp\":\"2026-05-01T00:00:00Z\",\"provider\":\"images\",\"model\":\"dall-e-3\",\"meters\":{\"images\":1}}]}";
        api.usage(tenant.apiKey(), events.formatted("n-1"));
        api.usage(tenant.apiKey(), events.formatted("n-2"));
        api.usage(other.apiKey(), events.formatted("o-1"));
        // Newest first: n-2, then n-1.
        TestApi.Response own = api.graphql(tenant.adminToken(), "{ usageEvents { nodes { id eventId } } }");
        assertThat(own.pluck("data.usageEvents.nodes", "eventId")).containsExactly("n-2", "n-1");
        secondEventId = (String) own.at("data.usageEvents.nodes.0.id");
        eventId = (String) own.at("data.usageEvents.nodes.1.id");
        otherEventId = (String) api.graphql(other.adminToken(), "{ usageEvents { nodes { id } } }").at("data.usageEvents.nodes.0.id");
    }

    private TestApi.Response set(String token, String id, String text) {
        return api.graphql(token, SET, Map.of("id", id, "text", text));
    }

    private long notes() {
        return rows.count("SELECT COUNT(*) FROM usage_note");
    }

    /** The note and notes the viewer reads on event n-1. */
    private Map<?, ?> row(String token, String organizationId) {
        TestApi.Response response = organizationId == null ? api.graphql(token, READ) : api.graphql(token, READ, Map.of("org", organizationId));
        assertThat(response.at("errors")).as(response.body()).isNull();
        @SuppressWarnings("unchecked")
        List<Map<?, ?>> nodes = (List<Map<?, ?>>) response.at("data.usageEvents.nodes");
        return nodes.stream().filter(node -> "n-1".equals(node.get("eventId"))).findFirst().orElseThrow();
    }

    @Test
    void onlyTheAuthorReadsANoteAndPlatformAdminsReadAll() {
        String platformAdmin = api.adminToken();
        TestApi.Response written = set(tenant.adminToken(), eventId, "Retry storm, see ticket #42");
        assertThat(written.at("data.usageNoteSet.userErrors")).as(written.body()).isEqualTo(List.of());
        assertThat(written.at("data.usageNoteSet.event.eventId")).isEqualTo("n-1");
        assertThat(written.at("data.usageNoteSet.event.note.text")).isEqualTo("Retry storm, see ticket #42");
        assertThat(written.at("data.usageNoteSet.event.note.authorEmail")).isEqualTo(tenant.adminEmail());

        // Another member of the same organization sees no note, not even in notes.
        assertThat(row(tenant.memberToken(), null).get("note")).isNull();
        assertThat(row(tenant.memberToken(), null).get("notes")).isEqualTo(List.of());
        // The member keeps a note of their own; each sees only their own.
        assertThat(set(tenant.memberToken(), eventId, "mine").at("data.usageNoteSet.event.note.text")).isEqualTo("mine");
        assertThat(((Map<?, ?>) row(tenant.memberToken(), null).get("note")).get("text")).isEqualTo("mine");
        assertThat(((Map<?, ?>) row(tenant.adminToken(), null).get("note")).get("text")).isEqualTo("Retry storm, see ticket #42");
        assertThat((List<?>) row(tenant.adminToken(), null).get("notes")).hasSize(1);
        // The platform admin reads both in notes, and has no note of its own.
        Map<?, ?> adminView = row(platformAdmin, tenant.organizationId());
        assertThat(adminView.get("note")).isNull();
        assertThat(((List<?>) adminView.get("notes")).stream().map(note -> (Object) ((Map<?, ?>) note).get("text")).toList())
                .containsExactly("Retry storm, see ticket #42", "mine");

        // Setting again replaces; deleting removes only the author's own note.
        assertThat(set(tenant.adminToken(), eventId, "Retry storm, fixed").at("data.usageNoteSet.event.note.text")).isEqualTo("Retry storm, fixed");
        assertThat(rows.count("SELECT COUNT(*) FROM usage_note n JOIN app_user u ON u.id = n.author_user_id WHERE u.email = ?", tenant.adminEmail())).isEqualTo(1);
        TestApi.Response deleted = api.graphql(tenant.adminToken(), DELETE, Map.of("id", eventId));
        assertThat(deleted.at("data.usageNoteDelete.userErrors")).as(deleted.body()).isEqualTo(List.of());
        assertThat(deleted.at("data.usageNoteDelete.event.note")).isNull();
        assertThat(row(tenant.adminToken(), null).get("note")).isNull();
        assertThat(((Map<?, ?>) row(tenant.memberToken(), null).get("note")).get("text")).isEqualTo("mine");
        api.graphql(tenant.memberToken(), DELETE, Map.of("id", eventId));
        assertThat(notes()).isZero();
    }

    @Test
    void aNoteOnAnotherOrganizationsEventIsNotFoundAndWritesNothing() {
        long before = notes();
        TestApi.Response foreign = set(tenant.adminToken(), otherEventId, "planted");
        assertThat(foreign.at("errors.0.extensions.code")).as(foreign.body()).isEqualTo("NOT_FOUND");
        assertThat(foreign.body()).doesNotContain("o-1");
        assertThat(api.graphql(tenant.memberToken(), DELETE, Map.of("id", otherEventId)).at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(set(tenant.adminToken(), tenant.organizationId(), "not an event").at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
        assertThat(notes()).isEqualTo(before);
    }

    @Test
    void overLongAndBlankTextIsRefusedAndWritesNothing() {
        long before = notes();
        TestApi.Response tooLong = set(tenant.adminToken(), secondEventId, "x".repeat(1001));
        assertThat(tooLong.codes("data.usageNoteSet.userErrors")).as(tooLong.body()).containsExactly("LENGTH");
        assertThat(tooLong.at("data.usageNoteSet.event")).isNull();
        TestApi.Response blank = set(tenant.adminToken(), secondEventId, "  ");
        assertThat(blank.codes("data.usageNoteSet.userErrors")).containsExactly("BLANK");
        assertThat(notes()).isEqualTo(before);
        // 1,000 characters fit, also outside the Basic Multilingual Plane's single units.
        String longest = "é".repeat(998) + "😀";
        assertThat(set(tenant.adminToken(), secondEventId, longest).at("data.usageNoteSet.event.note.text")).isEqualTo(longest);
        api.graphql(tenant.adminToken(), DELETE, Map.of("id", secondEventId));
        assertThat(notes()).isEqualTo(before);
    }

    @Test
    void toolUsersCannotReachNotes() {
        api.graphql(tenant.adminToken(), "mutation { accountIdCreate(input: {code: \"NOTE-TOOL-01\", label: \"tool\"}) { accountId { id } } }");
        String tool = (String) api.graphql(null, "mutation { accountIdSignIn(input: {organization: \"notes\", code: \"NOTE-TOOL-01\"}) { accessToken } }")
                .at("data.accountIdSignIn.accessToken");
        assertThat(tool).isNotNull();
        long before = notes();
        assertThat(set(tool, eventId, "tool note").at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(api.graphql(tool, DELETE, Map.of("id", eventId)).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(api.graphql(tool, READ).at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(notes()).isEqualTo(before);
    }
}
