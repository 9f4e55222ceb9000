package io.meterline.platform.notification;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.ServerTest;
import jakarta.inject.Inject;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Alert emails through a real SMTP server (GreenMail), with SMTP authentication. */
class AlertMailerIT extends ServerTest {

    private GreenMail smtp;

    @Inject
    AlertMailer mailer;

    @Override
    public Map<String, String> getProperties() {
        // Started here because the server's configuration needs the SMTP port before the context starts.
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.setUser("smtp-user", "smtp-user", "smtp-secret");
        smtp.start();
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.put("meterline.smtp.host", "127.0.0.1");
        properties.put("meterline.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
        properties.put("meterline.smtp.username", "smtp-user");
        properties.put("meterline.smtp.password", "smtp-secret");
        properties.put("meterline.smtp.from", "alerts@meterline.test");
        return properties;
    }

    @AfterAll
    void stopSmtp() {
        smtp.stop();
    }

    @BeforeEach
    void emptyMailboxes() throws Exception {
        smtp.purgeEmailFromAllMailboxes();
    }

    private static long rowId(Fixtures.Tenant tenant) {
        return GlobalId.decode(tenant.organizationId()).orElseThrow().id();
    }

    @Test
    void anAlertIsEmailedToTheOrganizationsAlertAddress() throws Exception {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "mail-on", "UTC");
        api.graphql(tenant.adminToken(), "mutation { alertSettingsUpdate(input: {enabled: true, email: \"finance@mail-on.test\"}) { userErrors { code } } }");

        assertThat(mailer.send(rowId(tenant), "Budget Monthly at 80%", "Your monthly budget reached 80% (800 of 1,000 EUR).")).isTrue();

        assertThat(smtp.waitForIncomingEmail(5000, 1)).isTrue();
        MimeMessage[] received = smtp.getReceivedMessages();
        assertThat(received).hasSize(1);
        assertThat(received[0].getRecipients(Message.RecipientType.TO)).extracting(Object::toString).containsExactly("finance@mail-on.test");
        assertThat(received[0].getSubject()).isEqualTo("Budget Monthly at 80%");
        assertThat(received[0].getFrom()).extracting(Object::toString).containsExactly("alerts@meterline.test");
        assertThat(GreenMailUtil.getBody(received[0])).contains("Your monthly budget reached 80%");
    }

    @Test
    void withoutASavedAddressTheOldestAdminIsEmailed() throws Exception {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "mail-default", "UTC");
        api.graphql(tenant.adminToken(), "mutation { alertSettingsUpdate(input: {enabled: true}) { userErrors { code } } }");

        assertThat(mailer.send(rowId(tenant), "Balance low", "Your balance is 0.50 USD.")).isTrue();

        assertThat(smtp.waitForIncomingEmail(5000, 1)).isTrue();
        assertThat(smtp.getReceivedMessages()[0].getRecipients(Message.RecipientType.TO)).extracting(Object::toString).containsExactly(tenant.adminEmail());
    }

    @Test
    void nothingIsSentWhileAlertsAreOff() throws Exception {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "mail-off", "UTC");
        assertThat(mailer.send(rowId(tenant), "Budget Monthly at 80%", "ignored")).isFalse();
        api.graphql(tenant.adminToken(), "mutation { alertSettingsUpdate(input: {enabled: true, email: \"x@mail-off.test\"}) { userErrors { code } } }");
        api.graphql(tenant.adminToken(), "mutation { alertSettingsUpdate(input: {enabled: false}) { userErrors { code } } }");
        assertThat(mailer.send(rowId(tenant), "Budget Monthly at 90%", "ignored")).isFalse();

        assertThat(smtp.waitForIncomingEmail(500, 1)).isFalse();
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }
}
