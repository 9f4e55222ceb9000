package io.meterline.platform.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.MailServer;
import io.meterline.platform.support.MailServerTest;
import io.meterline.platform.support.TestApi;
import jakarta.mail.internet.MimeMessage;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Seed 000's Security Settings: change password (policy, other sessions signed out) and change email (verified through a real SMTP server). */
class SecuritySettingsIT extends MailServerTest {

    private static final String CHANGE_PASSWORD = "mutation($input: PasswordChangeInput!) { passwordChange(input: $input) {"
            + " accessToken refreshToken expiresIn userErrors { field code message } } }";
    private static final String REQUEST_EMAIL = "mutation($input: EmailChangeRequestInput!) { emailChangeRequest(input: $input) {"
            + " pendingEmail { email expiresAt } userErrors { field code message } } }";
    private static final String CONFIRM_EMAIL = "mutation($token: String!) { emailChangeConfirm(input: {token: $token}) { email userErrors { field code message } } }";

    Fixtures.Tenant tenant;

    @BeforeAll
    void setUp() {
        tenant = Fixtures.tenant(api, "secure", "UTC");
    }

    private TestApi.Response signIn(String email, String password) {
        return api.post("/login", null, "application/json", api.write(Map.of("username", email, "password", password)));
    }

    private TestApi.Response refresh(String refreshToken) {
        return api.post("/oauth/access_token", null, "application/json", api.write(Map.of("grant_type", "refresh_token", "refresh_token", refreshToken)));
    }

    @Test
    void changingThePasswordSignsOutEveryOtherSession() throws Exception {
        Fixtures.Tenant owner = Fixtures.tenant(api, "pw-change", "UTC");
        String email = "member@pw-change.test";
        TestApi.Response laptop = signIn(email, Fixtures.PASSWORD);
        TestApi.Response phone = signIn(email, Fixtures.PASSWORD);
        assertThat(refresh((String) phone.at("refresh_token")).status()).isEqualTo(200);

        TestApi.Response changed = api.graphql((String) laptop.at("access_token"), CHANGE_PASSWORD,
                Map.of("input", Map.of("currentPassword", Fixtures.PASSWORD, "newPassword", "Granite-Harbor-Sky-7")));
        assertThat(changed.codes("data.passwordChange.userErrors")).isEmpty();
        assertThat((Integer) changed.at("data.passwordChange.expiresIn")).isPositive();

        assertThat(refresh((String) phone.at("refresh_token")).status()).as("the other session's refresh token").isEqualTo(400);
        assertThat(refresh((String) laptop.at("refresh_token")).status()).as("this session's old refresh token").isEqualTo(400);
        assertThat(refresh((String) changed.at("data.passwordChange.refreshToken")).status()).as("the new refresh token").isEqualTo(200);
        assertThat(api.graphql((String) changed.at("data.passwordChange.accessToken"), "{ viewer { user { email } } }").at("data.viewer.user.email")).isEqualTo(email);
        assertThat(signIn(email, Fixtures.PASSWORD).status()).isEqualTo(401);
        assertThat(signIn(email, "Granite-Harbor-Sky-7").status()).isEqualTo(200);
        // Going back to the previous password is refused.
        TestApi.Response back = api.graphql((String) changed.at("data.passwordChange.accessToken"), CHANGE_PASSWORD,
                Map.of("input", Map.of("currentPassword", "Granite-Harbor-Sky-7", "newPassword", Fixtures.PASSWORD)));
        assertThat(back.codes("data.passwordChange.userErrors")).containsExactly("PASSWORD_REUSED");
        assertThat(rows.count("SELECT COUNT(*) FROM password_history h JOIN app_user u ON u.id = h.user_id WHERE u.email = ?", email)).isEqualTo(1);
        List<MimeMessage> notice = mail.to(email, 1);
        assertThat(notice.get(0).getSubject()).isEqualTo("Your Meterline password was changed");
        assertThat(owner.adminToken()).isNotBlank();
    }

    @Test
    void weakReusedOrUnauthorizedPasswordChangesAreRefusedAndNothingChanges() {
        String hash = (String) rows.value("SELECT password_hash FROM app_user WHERE email = ?", tenant.adminEmail());
        long revoked = rows.count("SELECT COUNT(*) FROM refresh_token WHERE revoked = TRUE");
        Object[][] cases = {
                {"wrong-current-pw-1", "Granite-Harbor-Sky-7", "currentPassword", "WRONG_PASSWORD"},
                {Fixtures.PASSWORD, "too-short", "newPassword", "LENGTH"},
                {Fixtures.PASSWORD, "x".repeat(73), "newPassword", "LENGTH"},
                {Fixtures.PASSWORD, "my-admin-password!", "newPassword", "WEAK_PASSWORD"},
                {Fixtures.PASSWORD, "admin@secure.test-2026", "newPassword", "WEAK_PASSWORD"},
                {Fixtures.PASSWORD, "qwertyuiop123", "newPassword", "WEAK_PASSWORD"},
                {Fixtures.PASSWORD, "2024Sunshine!!!", "newPassword", "WEAK_PASSWORD"},
                {Fixtures.PASSWORD, Fixtures.PASSWORD, "newPassword", "PASSWORD_REUSED"},
        };
        for (Object[] bad : cases) {
            TestApi.Response response = api.graphql(tenant.adminToken(), CHANGE_PASSWORD, Map.of("input", Map.of("currentPassword", bad[0], "newPassword", bad[1])));
            assertThat(response.at("data.passwordChange.accessToken")).as(String.valueOf(bad[1])).isNull();
            assertThat(response.pluck("data.passwordChange.userErrors", "field")).as(String.valueOf(bad[1])).containsExactly(List.of("input", (String) bad[2]));
            assertThat(response.codes("data.passwordChange.userErrors")).as(String.valueOf(bad[1])).containsExactly(bad[3]);
        }
        assertThat(rows.value("SELECT password_hash FROM app_user WHERE email = ?", tenant.adminEmail())).isEqualTo(hash);
        assertThat(rows.count("SELECT COUNT(*) FROM refresh_token WHERE revoked = TRUE")).isEqualTo(revoked);
        // The same policy guards every other way a password is set.
        TestApi.Response created = api.graphql(tenant.adminToken(), "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } userErrors { code } } }",
                Map.of("input", Map.of("email", "dana@secure.test", "password", "dana-secure-pass", "role", "ORG_MEMBER")));
        assertThat(created.codes("data.userCreate.userErrors")).containsExactly("WEAK_PASSWORD");
        assertThat(rows.count("SELECT COUNT(*) FROM app_user WHERE email = 'dana@secure.test'")).isZero();
    }

    @Test
    void anEmailChangesOnlyWhenTheNewAddressConfirmsItAndTheOldOneIsTold() throws Exception {
        Fixtures.Tenant owner = Fixtures.tenant(api, "mail-change", "UTC");
        String token = owner.adminToken();
        TestApi.Response requested = api.graphql(token, REQUEST_EMAIL, Map.of("input", Map.of("newEmail", "Ana@NewCo.test", "currentPassword", Fixtures.PASSWORD)));
        assertThat(requested.codes("data.emailChangeRequest.userErrors")).isEmpty();
        assertThat(requested.at("data.emailChangeRequest.pendingEmail.email")).isEqualTo("ana@newco.test");
        assertThat(api.graphql(token, "{ profile { email pendingEmail { email } } }").at("data.profile.pendingEmail.email")).isEqualTo("ana@newco.test");
        assertThat(rows.count("SELECT COUNT(*) FROM app_user WHERE email = ?", owner.adminEmail())).as("not changed before confirmation").isEqualTo(1);

        MimeMessage verification = mail.to("ana@newco.test", 1).get(0);
        assertThat(verification.getSubject()).isEqualTo("Confirm your new Meterline email");
        assertThat(MailServer.body(verification)).contains("https://app.meterline.test/confirm-email?token=");
        String link = MailServer.token(verification);
        assertThat(rows.count("SELECT COUNT(*) FROM email_change WHERE token_hash = ?", link)).as("only the hash is stored").isZero();

        TestApi.Response confirmed = api.graphql(null, CONFIRM_EMAIL, Map.of("token", link));
        assertThat(confirmed.codes("data.emailChangeConfirm.userErrors")).isEmpty();
        assertThat(confirmed.at("data.emailChangeConfirm.email")).isEqualTo("ana@newco.test");
        List<MimeMessage> told = mail.to(owner.adminEmail(), 2);
        assertThat(told).hasSize(1);
        assertThat(MailServer.body(told.get(0))).contains("ana@newco.test");
        assertThat(api.login("ana@newco.test", Fixtures.PASSWORD)).isNotBlank();
        assertThat(signIn(owner.adminEmail(), Fixtures.PASSWORD).status()).isEqualTo(401);

        TestApi.Response reused = api.graphql(null, CONFIRM_EMAIL, Map.of("token", link));
        assertThat(reused.codes("data.emailChangeConfirm.userErrors")).containsExactly("ALREADY_USED");
        assertThat(api.graphql(null, "{ profile { email } }").at("errors.0.extensions.code")).as("only marked fields work signed out").isEqualTo("UNAUTHENTICATED");
        assertThat(api.graphql(null, "mutation($token: String!) { emailChangeConfirm(input: {token: $token}) { email } ping }", Map.of("token", link))
                .at("errors.0.extensions.code")).isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void badEmailChangesAreRefusedAndNothingIsStoredOrSent() {
        long before = rows.count("SELECT COUNT(*) FROM email_change");
        Object[][] cases = {
                {"not-an-email", Fixtures.PASSWORD, "newEmail", "INVALID"},
                {"member@secure.test", Fixtures.PASSWORD, "newEmail", "TAKEN"},
                {tenant.adminEmail(), Fixtures.PASSWORD, "newEmail", "INVALID"},
                {"fresh@secure.test", "wrong-current-pw-1", "currentPassword", "WRONG_PASSWORD"},
        };
        for (Object[] bad : cases) {
            TestApi.Response response = api.graphql(tenant.adminToken(), REQUEST_EMAIL, Map.of("input", Map.of("newEmail", bad[0], "currentPassword", bad[1])));
            assertThat(response.at("data.emailChangeRequest.pendingEmail")).as(String.valueOf(bad[0])).isNull();
            assertThat(response.pluck("data.emailChangeRequest.userErrors", "field")).as(String.valueOf(bad[0])).containsExactly(List.of("input", (String) bad[2]));
            assertThat(response.codes("data.emailChangeRequest.userErrors")).as(String.valueOf(bad[0])).containsExactly(bad[3]);
        }
        assertThat(rows.count("SELECT COUNT(*) FROM email_change")).isEqualTo(before);
        assertThat(mail.all()).isEmpty();
    }

    @Test
    void expiredReplacedAndUnknownLinksChangeNothing() {
        Fixtures.Tenant owner = Fixtures.tenant(api, "mail-expiry", "UTC");
        api.graphql(owner.memberToken(), REQUEST_EMAIL, Map.of("input", Map.of("newEmail", "first@elsewhere.test", "currentPassword", Fixtures.PASSWORD)));
        String first = MailServer.token(mail.to("first@elsewhere.test", 1).get(0));
        api.graphql(owner.memberToken(), REQUEST_EMAIL, Map.of("input", Map.of("newEmail", "second@elsewhere.test", "currentPassword", Fixtures.PASSWORD)));
        String second = MailServer.token(mail.to("second@elsewhere.test", 2).get(0));

        assertThat(api.graphql(null, CONFIRM_EMAIL, Map.of("token", first)).codes("data.emailChangeConfirm.userErrors")).containsExactly("ALREADY_USED");
        rows.execute("UPDATE email_change SET expires_at = ? WHERE new_email = 'second@elsewhere.test'", Timestamp.from(Instant.now().minusSeconds(1)));
        assertThat(api.graphql(null, CONFIRM_EMAIL, Map.of("token", second)).codes("data.emailChangeConfirm.userErrors")).containsExactly("EXPIRED");
        assertThat(api.graphql(null, CONFIRM_EMAIL, Map.of("token", "made-up-token")).codes("data.emailChangeConfirm.userErrors")).containsExactly("INVALID");
        assertThat(rows.count("SELECT COUNT(*) FROM app_user WHERE email = 'member@mail-expiry.test'")).isEqualTo(1);
        assertThat(rows.count("SELECT COUNT(*) FROM email_change WHERE confirmed_at IS NOT NULL AND new_email LIKE '%elsewhere.test'")).isZero();
        assertThat(api.graphql(owner.memberToken(), "{ profile { pendingEmail { email } } }").at("data.profile.pendingEmail")).isNull();
    }
}
