package io.meterline.platform.alert;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.meterline.platform.graphql.ws.WsClient;
import io.meterline.platform.support.Await;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestRedis;
import io.meterline.platform.support.TestApi;
import io.meterline.platform.webhook.WebhookDispatcher;
import io.meterline.platform.webhook.WebhookSigner;
import io.micronaut.runtime.server.EmbeddedServer;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * One budget crossing, end to end: usage recorded on instance 1 crosses a threshold; the alert is
 * stored once, reaches a graphql-transport-ws subscriber connected to instance 2 through Redis,
 * is emailed through SMTP (GreenMail) and delivered as a signed webhook (WireMock).
 */
class AlertDeliveryIT extends ServerTest {


    private GreenMail smtp;
    private WireMockServer receiver;

    @Inject
    WebhookDispatcher dispatcher;

    @Override
    public Map<String, String> getProperties() {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        receiver = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        receiver.start();
        Map<String, String> properties = new HashMap<>(super.getProperties());
        properties.putAll(TestRedis.properties());
        properties.put("meterline.smtp.host", "127.0.0.1");
        properties.put("meterline.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
        properties.put("meterline.smtp.from", "alerts@meterline.test");
        properties.put("meterline.webhooks.dispatch-interval", "1h");
        properties.put("meterline.webhooks.backoff", "0s");
        // The WireMock receiver listens on loopback, which webhooks may reach only when allowed.
        properties.put("meterline.webhooks.allow-http", "true");
        properties.put("meterline.webhooks.allowed-networks", "127.0.0.1/32");
        return properties;
    }

    @AfterAll
    void stop() {
        smtp.stop();
        receiver.stop();
    }

    @Test
    void aCrossingReachesASubscriberOnAnotherInstanceTheMailboxAndTheWebhookOnce() throws Exception {
        Assumptions.assumeTrue(TestRedis.listens(), "Redis on 127.0.0.1:6379 (CI always has it)");
        Fixtures.Tenant tenant = Fixtures.tenant(api, "delivery", "UTC");
        api.graphql(tenant.adminToken(), "mutation { alertSettingsUpdate(input: {enabled: true, email: \"ops@delivery.test\"}) { userErrors { code } } }");
        TestApi.Response endpoint = api.graphql(tenant.adminToken(), "mutation($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) { secret userErrors { code } } }",
                Map.of("input", Map.of("url", "http://127.0.0.1:" + receiver.port() + "/hooks", "eventTypes", List.of("budget.threshold"))));
        String secret = (String) endpoint.at("data.webhookEndpointCreate.secret");
        receiver.stubFor(post(urlEqualTo("/hooks")).willReturn(aResponse().withStatus(204)));
        TestApi.Response budget = api.graphql(tenant.adminToken(),
                "mutation { budgetCreate(input: {name: \"Daily calls\", metric: REQUESTS, period: DAY, limit: \"10\", thresholds: [50]}) { budget { id } userErrors { code message } } }");
        assertThat(budget.at("data.budgetCreate.budget.id")).as(budget.body()).isNotNull();

        // The second instance's own dispatcher may claim the delivery first: it must allow the loopback receiver too.
        try (EmbeddedServer second = startSecondInstance(Map.of("meterline.webhooks.allow-http", "true", "meterline.webhooks.allowed-networks", "127.0.0.1/32"));
             WsClient subscriber = WsClient.initialised(second.getURI(), jsonMapper, tenant.memberToken())) {
            MessageAlertBus secondBus = second.getApplicationContext().getBean(MessageAlertBus.class);
            int listening = secondBus.subscriberCount();
            subscriber.subscribe("1", "subscription { alertRaised { sequence kind level subject data } }", Map.of());
            // The crossing must happen after instance 2 listens, or its bus has nobody to hand the alert to.
            Await.until("instance 2 listens for the subscription", Duration.ofSeconds(10), () -> secondBus.subscriberCount() > listening);

            Instant crossingSent = Instant.now();
            for (int i = 0; i < 8; i++) {
                api.usage(tenant.apiKey(), "{\"events\":[{\"id\":\"cross-" + i + "\",\"timestamp\":\"" + Instant.now() + "\",\"provider\":\"images\","
                        + "\"model\":\"dall-e-3\",\"meters\":{\"images\":1}}]}");
            }
            Map<String, Object> message = subscriber.poll(Duration.ofSeconds(10));
            assertThat(message).as("the alert reached instance 2's subscriber").isNotNull();
            assertThat(TestApi.at(message, "payload.data.alertRaised.kind")).isEqualTo("BUDGET_THRESHOLD");
            assertThat(TestApi.at(message, "payload.data.alertRaised.subject")).isEqualTo("Daily calls");
            assertThat(Duration.between(crossingSent, Instant.now())).isLessThan(Duration.ofSeconds(10));
            assertThat(subscriber.poll(Duration.ofMillis(500))).as("one alert per threshold per period").isNull();
        }

        assertThat(api.graphql(tenant.adminToken(), "{ alerts { totalCount } }").at("data.alerts.totalCount")).isEqualTo(1);
        assertThat(smtp.waitForIncomingEmail(5000, 1)).isTrue();
        MimeMessage mail = smtp.getReceivedMessages()[0];
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ops@delivery.test");
        assertThat(mail.getSubject()).contains("Daily calls");

        dispatcher.dispatchDue();
        List<LoggedRequest> hooks = receiver.findAll(postRequestedFor(urlEqualTo("/hooks")));
        assertThat(hooks).hasSize(1);
        LoggedRequest hook = hooks.get(0);
        assertThat(hook.getHeader("Meterline-Event")).isEqualTo("budget.threshold");
        String signature = hook.getHeader("Meterline-Signature");
        String timestamp = signature.substring(2, signature.indexOf(','));
        assertThat(signature.substring(signature.indexOf("v1=") + 3)).isEqualTo(WebhookSigner.hmac(secret, timestamp + "." + hook.getBodyAsString()));
        assertThat(hook.getBodyAsString()).contains("\"level\":\"WARNING\"").contains("Daily calls");
    }
}
