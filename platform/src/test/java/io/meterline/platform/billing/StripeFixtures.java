package io.meterline.platform.billing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.stripe.Stripe;
import io.meterline.platform.support.MutableClock;
import io.meterline.platform.support.TestApi;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * WireMock in Stripe's place: answers written from Stripe's API reference (the Customer, Checkout
 * Session and Billing Portal Session objects and the error object), and a reader for the
 * form-encoded bodies stripe-java sends ({@code line_items[0][price]=...}).
 */
final class StripeFixtures {

    static final String CUSTOMER_ID = "cus_NffrFeUfNV2Hib";
    static final String CHECKOUT_URL = "https://checkout.stripe.com/c/pay/cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY";
    static final String PORTAL_URL = "https://billing.stripe.com/p/session/test_YWNjdF8xTTJKVGtMa2RJd0h1N2l4LF9OY2lBYjJXcHY4a2NPck96UjBEbFVYRnU5bjlwVUF50100BNtQTpFv";

    private StripeFixtures() {
    }

    /**
     * A test context's settings with WireMock in Stripe's place: the test's base settings, the mutable clock, a test key,
     * Stripe's API at {@code stripe}, the webhook signing secret, and the Stripe inbox worked by hand (the test calls the worker).
     */
    static Map<String, String> wireMockStripe(Map<String, String> base, WireMockServer stripe, String signingSecret) {
        Map<String, String> properties = new HashMap<>(base);
        properties.put(MutableClock.ENABLE, "true");
        properties.put("meterline.stripe.secret-key", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
        properties.put("meterline.stripe.api-base", "http://localhost:" + stripe.port());
        properties.put("meterline.stripe.webhook.signing-secret", signingSecret);
        properties.put("meterline.stripe.webhook.work-interval", "1h");
        return properties;
    }

    static String customer(String id) {
        return """
                {"id": "%s", "object": "customer", "address": null, "balance": 0, "created": 1680893993, "currency": null,
                 "default_source": null, "delinquent": false, "description": null, "email": null, "invoice_prefix": "0759376C",
                 "invoice_settings": {"custom_fields": null, "default_payment_method": null, "footer": null, "rendering_options": null},
                 "livemode": false, "metadata": {}, "name": "Org", "next_invoice_sequence": 1, "phone": null, "preferred_locales": [],
                 "shipping": null, "tax_exempt": "none", "test_clock": null}
                """.formatted(id);
    }

    static String checkoutSession(String mode) {
        return """
                {"id": "cs_test_{{randomValue length=40 type='ALPHANUMERIC'}}", "object": "checkout.session", "amount_subtotal": 2000,
                 "amount_total": 2000, "cancel_url": "https://app.example/billing?checkout=cancelled", "client_reference_id": null, "created": 1679600215,
                 "currency": "cad", "customer": "%s", "expires_at": 1679686615, "livemode": false, "metadata": {}, "mode": "%s",
                 "payment_intent": null, "payment_status": "unpaid", "status": "open", "subscription": null,
                 "success_url": "https://app.example/billing?checkout=success", "url": "%s"}
                """.formatted(CUSTOMER_ID, mode, CHECKOUT_URL);
    }

    static String portalSession() {
        return """
                {"id": "bps_1MrSjzLkdIwHu7ixex0IvU9b", "object": "billing_portal.session", "configuration": "bpc_1MAhNDLkdIwHu7ixckACO1Jq",
                 "created": 1680210639, "customer": "%s", "flow": null, "livemode": false, "locale": null, "on_behalf_of": null,
                 "return_url": "https://app.example/billing", "url": "%s"}
                """.formatted(CUSTOMER_ID, PORTAL_URL);
    }

    static String error(String type, String code, String message) {
        return """
                {"error": {"type": "%s", "code": "%s", "message": "%s", "request_log_url": "https://dashboard.stripe.com/test/logs/req_xyz"}}
                """.formatted(type, code, message);
    }

    /** A JSON answer; templated, so every Checkout Session gets its own id as in Stripe. */
    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withHeader("Request-Id", "req_test_1").withBody(body)
                .withTransformers("response-template");
    }

    /** Stripe answering every call as the reference says it does when all goes well. */
    static void happy(WireMockServer stripe) {
        stripe.stubFor(post(urlEqualTo("/v1/customers")).willReturn(json(200, customer(CUSTOMER_ID))));
        stripe.stubFor(post(urlPathMatching("/v1/customers/cus_.*")).willReturn(json(200, customer(CUSTOMER_ID))));
        stripe.stubFor(post(urlEqualTo("/v1/checkout/sessions")).willReturn(json(200, checkoutSession("payment"))));
        stripe.stubFor(post(urlEqualTo("/v1/billing_portal/sessions")).willReturn(json(200, portalSession())));
    }

    /** Stripe creating the customer {@code id}: every organization gets its own, as in Stripe. */
    static void customerWillBe(WireMockServer stripe, String id) {
        stripe.stubFor(post(urlEqualTo("/v1/customers")).willReturn(json(200, customer(id))));
    }

    static List<LoggedRequest> requests(WireMockServer stripe, String path) {
        return stripe.getAllServeEvents().stream().map(ServeEvent::getRequest).filter(request -> request.getUrl().equals(path))
                .toList();
    }

    /** A form-encoded body as keys (decoded, such as {@code line_items[0][price]}) to values. */
    static Map<String, String> form(Request request) {
        Map<String, String> fields = new LinkedHashMap<>();
        String body = request.getBodyAsString();
        if (body.isEmpty()) {
            return fields;
        }
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }

    /**
     * Posts an event of {@code type} about {@code object} (JSON) to the webhook endpoint at {@code server}, signed with
     * {@code secret} and created {@code now}, in stripe-java's API version; answers its new event id once the endpoint
     * took it (the caller runs the worker).
     */
    static String deliverSigned(TestApi api, URI server, String secret, Instant now, String eventId, String type, String object) {
        String payload = "{\"id\":\"" + eventId + "\",\"object\":\"event\",\"api_version\":\"" + Stripe.API_VERSION + "\",\"created\":" + now.getEpochSecond()
                + ",\"livemode\":false,\"pending_webhooks\":1,\"request\":{\"id\":null,\"idempotency_key\":null},\"type\":\"" + type
                + "\",\"data\":{\"object\":" + object + "}}";
        HttpRequest request = HttpRequest.newBuilder(server.resolve("/v1/stripe/webhook"))
                .header("Content-Type", "application/json").header("Stripe-Signature", StripeWebhookIT.sign(secret, now.getEpochSecond(), payload))
                .POST(HttpRequest.BodyPublishers.ofString(payload)).build();
        if (api.send(request).status() != 200) {
            throw new AssertionError("The webhook endpoint refused event " + eventId);
        }
        return eventId;
    }
}
