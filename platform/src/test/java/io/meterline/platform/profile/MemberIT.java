package io.meterline.platform.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MailServer;
import io.meterline.platform.support.MailServerTest;
import io.meterline.platform.support.TestApi;
import jakarta.mail.internet.MimeMessage;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Seed 004's people: invitations by email (through a real SMTP server) with single-use, expiring links, and role changes. */
class MemberIT extends MailServerTest {

    private static final String INVITE = "mutation($input: MemberInviteInput!) { memberInvite(input: $input) {"
            + " invitation { id email role displayName status invitedBy expiresAt organization { slug } } userErrors { field code message } } }";
    private static final String ACCEPT = "mutation($input: InvitationAcceptInput!) { invitationAccept(input: $input) {"
            + " user { email displayName role organization { slug } } userErrors { field code message } } }";
    private static final String ROLE = "mutation($input: MemberRoleUpdateInput!) { memberRoleUpdate(input: $input) { user { email role } userErrors { field code message } } }";

    Fixtures.Tenant tenant;

    @BeforeAll
    void setUp() {
        tenant = Fixtures.tenant(api, "people", "UTC");
    }

    private TestApi.Response invite(String token, String email, String role) {
        return api.graphql(token, INVITE, Map.of("input", Map.of("email", email, "role", role, "displayName", "Bay 7")));
    }

    private static TestApi.Response accept(TestApi api, String token, String password) {
        Map<String, Object> input = new HashMap<>(Map.of("password", password));
        input.put("token", token);
        return api.graphql(null, ACCEPT, Map.of("input", input));
    }

    @Test
    void anInvitedPersonSetsAPasswordOnceAndSignsIn() throws Exception {
        TestApi.Response invited = invite(tenant.adminToken(), " Bay7@People.TEST ", "ORG_MEMBER");
        assertThat(invited.codes("data.memberInvite.userErrors")).isEmpty();
        assertThat(invited.at("data.memberInvite.invitation.email")).isEqualTo("bay7@people.test");
        assertThat(invited.at("data.memberInvite.invitation.status")).isEqualTo("PENDING");
        assertThat(invited.at("data.memberInvite.invitation.invitedBy")).isEqualTo(tenant.adminEmail());
        assertThat(invited.at("data.memberInvite.invitation.organization.slug")).isEqualTo("people");

        List<MimeMessage> emails = mail.to("bay7@people.test", 1);
        assertThat(emails).hasSize(1);
        assertThat(emails.get(0).getSubject()).isEqualTo("You are invited to Org people on Meterline");
        assertThat(MailServer.body(emails.get(0))).contains("https://app.meterline.test/accept-invitation?token=").contains(tenant.adminEmail());
        String token = MailServer.token(emails.get(0));
        assertThat(rows.count("SELECT COUNT(*) FROM invitation WHERE token_hash = ?", token)).as("only the hash is stored").isZero();

        TestApi.Response accepted = accept(api, token, "bay-seven-secret-42");
        assertThat(accepted.codes("data.invitationAccept.userErrors")).isEmpty();
        assertThat(accepted.at("data.invitationAccept.user.email")).isEqualTo("bay7@people.test");
        assertThat(accepted.at("data.invitationAccept.user.displayName")).isEqualTo("Bay 7");
        assertThat(accepted.at("data.invitationAccept.user.role")).isEqualTo("ORG_MEMBER");
        String memberToken = api.login("bay7@people.test", "bay-seven-secret-42");
        assertThat(api.graphql(memberToken, "{ viewer { organization { slug } } }").at("data.viewer.organization.slug")).isEqualTo("people");

        TestApi.Response again = accept(api, token, "another-secret-4242");
        assertThat(again.codes("data.invitationAccept.userErrors")).containsExactly("ALREADY_USED");
        assertThat(rows.count("SELECT COUNT(*) FROM app_user WHERE email = 'bay7@people.test'")).isEqualTo(1);
        assertThat(api.graphql(tenant.memberToken(), "{ invitations { totalCount nodes { email status acceptedAt } } }").pluck("data.invitations.nodes", "status"))
                .contains("ACCEPTED");
    }

    @Test
    void expiredWithdrawnUnknownAndWeakAreRefusedAndNoUserIsCreated() {
        invite(tenant.adminToken(), "late@people.test", "ORG_MEMBER");
        String late = MailServer.token(mail.to("late@people.test", 1).get(0));
        rows.execute("UPDATE invitation SET expires_at = ? WHERE email = 'late@people.test'", Timestamp.from(Instant.now().minusSeconds(60)));
        assertThat(accept(api, late, "late-comer-secret-1").codes("data.invitationAccept.userErrors")).containsExactly("EXPIRED");

        TestApi.Response first = invite(tenant.adminToken(), "twice@people.test", "ORG_ADMIN");
        invite(tenant.adminToken(), "twice@people.test", "ORG_ADMIN");
        List<MimeMessage> both = mail.to("twice@people.test", 3);
        assertThat(accept(api, MailServer.token(both.get(0)), "second-chance-secret").codes("data.invitationAccept.userErrors")).containsExactly("INVALID_STATE");
        String current = MailServer.token(both.get(1));

        for (String[] weak : new String[][] {{"short-1", "LENGTH"}, {"twice-rocks-forever", "WEAK_PASSWORD"}, {"Password123456!", "WEAK_PASSWORD"}}) {
            TestApi.Response response = accept(api, current, weak[0]);
            assertThat(response.at("data.invitationAccept.user")).as(weak[0]).isNull();
            assertThat(response.codes("data.invitationAccept.userErrors")).as(weak[0]).containsExactly(weak[1]);
            assertThat(response.pluck("data.invitationAccept.userErrors", "field")).as(weak[0]).containsExactly(List.of("input", "password"));
        }
        assertThat(accept(api, "not-a-real-token", "unknown-token-secret").codes("data.invitationAccept.userErrors")).containsExactly("INVALID");

        TestApi.Response revoked = api.graphql(tenant.adminToken(), "mutation($id: ID!) { invitationRevoke(input: {id: $id}) { invitation { status } userErrors { code } } }",
                Map.of("id", first.at("data.memberInvite.invitation.id")));
        assertThat(revoked.codes("data.invitationRevoke.userErrors")).containsExactly("INVALID_STATE");
        assertThat(rows.count("SELECT COUNT(*) FROM app_user WHERE email IN ('late@people.test', 'twice@people.test')")).isZero();
        assertThat(rows.count("SELECT COUNT(*) FROM invitation WHERE accepted_at IS NOT NULL AND email IN ('late@people.test', 'twice@people.test')")).isZero();
        // The newest link still works after the refused attempts.
        assertThat(accept(api, current, "second-chance-secret").at("data.invitationAccept.user.role")).isEqualTo("ORG_ADMIN");
    }

    @Test
    void badInvitationsAreRefusedAndNothingIsSentOrStored() {
        long before = rows.count("SELECT COUNT(*) FROM invitation");
        Map<String, String[]> cases = Map.of(
                "not-an-email", new String[] {"email", "INVALID"},
                tenant.adminEmail(), new String[] {"email", "TAKEN"});
        for (Map.Entry<String, String[]> bad : cases.entrySet()) {
            TestApi.Response response = invite(tenant.adminToken(), bad.getKey(), "ORG_MEMBER");
            assertThat(response.at("data.memberInvite.invitation")).isNull();
            assertThat(response.pluck("data.memberInvite.userErrors", "field")).containsExactly(List.of("input", bad.getValue()[0]));
            assertThat(response.codes("data.memberInvite.userErrors")).containsExactly(bad.getValue()[1]);
        }
        assertThat(invite(tenant.adminToken(), "boss@people.test", "PLATFORM_ADMIN").codes("data.memberInvite.userErrors")).containsExactly("INVALID");
        assertThat(invite(tenant.memberToken(), "friend@people.test", "ORG_MEMBER").at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(rows.count("SELECT COUNT(*) FROM invitation")).isEqualTo(before);
        assertThat(mail.all()).isEmpty();
    }

    @Test
    void adminsChangeRolesButTheLastAdminStays() {
        Fixtures.Tenant team = Fixtures.tenant(api, "roles", "UTC");
        String memberId = (String) api.graphql(team.memberToken(), "{ viewer { user { id } } }").at("data.viewer.user.id");
        String adminId = (String) api.graphql(team.adminToken(), "{ viewer { user { id } } }").at("data.viewer.user.id");

        assertThat(api.graphql(team.memberToken(), ROLE, Map.of("input", Map.of("userId", adminId, "role", "ORG_MEMBER"))).at("errors.0.extensions.code"))
                .isEqualTo("FORBIDDEN");
        TestApi.Response last = api.graphql(team.adminToken(), ROLE, Map.of("input", Map.of("userId", adminId, "role", "ORG_MEMBER")));
        assertThat(last.codes("data.memberRoleUpdate.userErrors")).containsExactly("INVALID_STATE");
        assertThat(api.graphql(team.adminToken(), ROLE, Map.of("input", Map.of("userId", memberId, "role", "PLATFORM_ADMIN")))
                .codes("data.memberRoleUpdate.userErrors")).containsExactly("INVALID");
        assertThat(rows.count("SELECT COUNT(*) FROM app_user WHERE email = ? AND role = 'ORG_ADMIN'", team.adminEmail())).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM app_user WHERE email = 'member@roles.test' AND role = 'ORG_MEMBER'")).isEqualTo(1);

        TestApi.Response promoted = api.graphql(team.adminToken(), ROLE, Map.of("input", Map.of("userId", memberId, "role", "ORG_ADMIN")));
        assertThat(promoted.at("data.memberRoleUpdate.user.role")).isEqualTo("ORG_ADMIN");
        // The promoted member's next sign-in carries the new role.
        String promotedToken = api.login("member@roles.test", Fixtures.PASSWORD);
        TestApi.Response demoted = api.graphql(promotedToken, ROLE, Map.of("input", Map.of("userId", adminId, "role", "ORG_MEMBER")));
        assertThat(demoted.at("data.memberRoleUpdate.user.role")).isEqualTo("ORG_MEMBER");
    }
}
