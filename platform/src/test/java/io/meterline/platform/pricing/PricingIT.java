package io.meterline.platform.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The price book: plugin defaults, versions by effective time, unpriced usage, organization overrides. */
class PricingIT extends ServerTest {

    private static final String RATE_SET = "mutation($input: RateSetInput!) { rateSet(input: $input) { rate { id version unitPrice { amount currencyCode } per effectiveFrom }"
            + " repricedEventCount userErrors { field code message } } }";

    @Inject
    io.meterline.platform.analytics.UsageRoller roller;

    @Inject
    TransactionOperations<Connection> transactions;

    Rows rows;
    String admin;

    @BeforeAll
    void setUp() {
        rows = new Rows(transactions);
        admin = api.adminToken();
    }

    private String usage(String id, String timestamp, String provider, String model, String meters) {
        return "{\"events\":[{\"id\":\"" + id + "\",\"timestamp\":\"" + timestamp + "\",\"provider\":\"" + provider + "\",\"model\":\"" + model + "\",\"meters\":" + meters + "}]}";
    }

    @Test
    void providersListEveryPluginWithMetersModelsAndSeedRates() {
        TestApi.Response response = api.graphql(admin, "{ providers { id plugin meters { key unit } models { id } rates { model meter unitPrice { amount currencyCode } per version } } }");
        assertThat(response.pluck("data.providers", "id")).containsExactlyInAnyOrder("anthropic", "elevenlabs", "flat-token", "images", "openai", "smartflo");
        String body = response.body();
        // Seed rates: GPT-4 0.03 / 0.06 per 1K (003), ElevenLabs 0.30 per 10K characters (003), Smartflo 0.02 / minute (003),
        // images 0.0001 each (001), flat 0.00002 EUR per token (002).
        assertThat(body).contains("\"plugin\":\"openai@1.0.0\"");
        assertThat(rate(response, "openai", "gpt-4", "input_tokens")).isEqualTo("0.03 USD / 1000");
        assertThat(rate(response, "openai", "gpt-4", "output_tokens")).isEqualTo("0.06 USD / 1000");
        assertThat(rate(response, "openai", "gpt-3.5-turbo", "input_tokens")).isEqualTo("0.0005 USD / 1000");
        assertThat(rate(response, "openai", "generic", "input_tokens")).isEqualTo("0.6 USD / 1000000");
        assertThat(rate(response, "openai", "generic", "output_tokens")).isEqualTo("1 USD / 1000000");
        assertThat(rate(response, "openai", "generic", "cached_tokens")).isEqualTo("0.075 USD / 1000000");
        assertThat(rate(response, "elevenlabs", "*", "characters")).isEqualTo("0.3 USD / 10000");
        assertThat(rate(response, "smartflo", "*", "minutes")).isEqualTo("0.02 USD / 1");
        assertThat(rate(response, "images", "*", "images")).isEqualTo("0.0001 USD / 1");
        assertThat(rate(response, "flat-token", "*", "tokens")).isEqualTo("0.00002 EUR / 1");
    }

    private static String rate(TestApi.Response response, String provider, String model, String meter) {
        for (Object candidate : (List<?>) response.at("data.providers")) {
            Map<?, ?> map = (Map<?, ?>) candidate;
            if (!provider.equals(map.get("id"))) {
                continue;
            }
            for (Object rate : (List<?>) map.get("rates")) {
                Map<?, ?> r = (Map<?, ?>) rate;
                if (model.equals(r.get("model")) && meter.equals(r.get("meter"))) {
                    Map<?, ?> price = (Map<?, ?>) r.get("unitPrice");
                    return new BigDecimal((String) price.get("amount")).stripTrailingZeros().toPlainString() + " " + price.get("currencyCode") + " / " + r.get("per");
                }
            }
        }
        return null;
    }

    @Test
    void anEventIsPricedWithTheVersionInEffectAtItsOwnTime() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "versions", "UTC");
        assertThat(api.usage(tenant.apiKey(), usage("v-before", "2026-02-01T00:00:00Z", "images", "dall-e-3", "{\"images\":10}")).at("results.0.cost")).isEqualTo("0.001000000");
        TestApi.Response set = api.graphql(admin, RATE_SET, Map.of("input", Map.of("provider", "images", "model", "*", "meter", "images",
                "unitPrice", "0.0002", "effectiveFrom", "2026-03-01T00:00:00Z")));
        assertThat(set.at("data.rateSet.rate.version")).isEqualTo(2);
        assertThat(set.at("data.rateSet.rate.unitPrice.currencyCode")).isEqualTo("USD");
        assertThat(api.usage(tenant.apiKey(), usage("v-old-time", "2026-02-15T00:00:00Z", "images", "dall-e-3", "{\"images\":10}")).at("results.0.cost")).isEqualTo("0.001000000");
        assertThat(api.usage(tenant.apiKey(), usage("v-new-time", "2026-03-15T00:00:00Z", "images", "dall-e-3", "{\"images\":10}")).at("results.0.cost")).isEqualTo("0.002000000");
        assertThat(rows.value("SELECT cost FROM usage_event WHERE event_id = 'v-before'").toString()).isEqualTo("0.001000000");

        TestApi.Response event = api.graphql(tenant.adminToken(), "{ usageEvents(first: 1) { nodes { eventId lines { meter billableQuantity unitPrice { amount } per amount { amount } rateVersion rate { version effectiveFrom effectiveTo } plugin } } } }");
        assertThat(event.at("data.usageEvents.nodes.0.eventId")).isEqualTo("v-new-time");
        assertThat(event.at("data.usageEvents.nodes.0.lines.0.rateVersion")).isEqualTo(2);
        assertThat(event.at("data.usageEvents.nodes.0.lines.0.plugin")).isEqualTo("images@1.0.0");
        assertThat(event.at("data.usageEvents.nodes.0.lines.0.rate.effectiveTo")).isNull();

        TestApi.Response history = api.graphql(admin, "{ rates(provider: \"images\") { version effectiveFrom effectiveTo } }");
        assertThat(history.at("data.rates.0.version")).isEqualTo(2);
        assertThat(history.at("data.rates.1.effectiveTo")).isEqualTo("2026-03-01T00:00:00Z");
    }

    @Test
    void rateSetRefusesBadInputAndNonAdmins() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "rate-guard", "UTC");
        long before = rows.count("SELECT COUNT(*) FROM rate");
        TestApi.Response bad = api.graphql(admin, RATE_SET, Map.of("input", Map.of("provider", "nobody", "model", "m", "meter", "x", "unitPrice", "-1")));
        assertThat(bad.codes("data.rateSet.userErrors")).as(bad.body()).containsExactlyInAnyOrder("NOT_FOUND", "OUT_OF_RANGE", "BLANK");
        TestApi.Response meter = api.graphql(admin, RATE_SET, Map.of("input", Map.of("provider", "openai", "model", "gpt-4", "meter", "characters", "unitPrice", "1")));
        assertThat(meter.codes("data.rateSet.userErrors")).containsExactly("NOT_FOUND");
        TestApi.Response currency = api.graphql(admin, RATE_SET, Map.of("input", Map.of("provider", "openai", "model", "gpt-4", "meter", "input_tokens", "unitPrice", "1", "currencyCode", "EUR")));
        assertThat(currency.codes("data.rateSet.userErrors")).containsExactly("INVALID");
        TestApi.Response notDecimal = api.graphql(admin, RATE_SET, Map.of("input", Map.of("provider", "openai", "model", "gpt-4", "meter", "input_tokens", "unitPrice", "abc")));
        assertThat(notDecimal.at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        TestApi.Response byOrgAdmin = api.graphql(tenant.adminToken(), RATE_SET, Map.of("input", Map.of("provider", "openai", "model", "gpt-4", "meter", "input_tokens", "unitPrice", "1")));
        assertThat(byOrgAdmin.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        assertThat(rows.count("SELECT COUNT(*) FROM rate")).isEqualTo(before);
    }

    @Test
    void unpricedUsageIsKeptFlaggedAndPricedOnceARateCoversIt() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "unpriced", "UTC");
        TestApi.Response recorded = api.usage(tenant.apiKey(), usage("u-1", "2026-04-02T10:00:00Z", "anthropic", "claude-9", "{\"input_tokens\":1000000,\"output_tokens\":1000}"));
        assertThat(recorded.at("results.0.priced")).isEqualTo(false);
        assertThat(recorded.at("results.0.cost")).isNull();
        TestApi.Response summary = api.graphql(tenant.adminToken(), "{ usageSummary(range: {from: \"2026-04-01\", to: \"2026-04-30\"}) { requests unpricedRequests tokens cost { amount } originalCost { amount } estimatedCost { amount currencyCode } } }");
        assertThat(summary.at("data.usageSummary.unpricedRequests")).isEqualTo(1);
        assertThat(summary.at("data.usageSummary.tokens")).isEqualTo(1001000);
        assertThat(summary.at("data.usageSummary.cost.amount")).as("zero in the billing currency").isEqualTo("0.000000000");
        assertThat((List<?>) summary.at("data.usageSummary.originalCost")).isEmpty();
        // Estimated at anthropic's dearest current rates: opus, 15 / M input and 75 / M output.
        assertThat(summary.at("data.usageSummary.estimatedCost")).isEqualTo(Map.of("amount", "15.075000000", "currencyCode", "USD"));

        // Rolled up unpriced; repricing takes it out of the rollups and puts it back priced, in the same transaction.
        roller.rollAll();
        String series = "{ usageSeries(range: {from: \"2026-04-02\", to: \"2026-04-02\"}) { totals { requests tokens cost { amount currencyCode }"
                + " originalCost { amount currencyCode } } } }";
        assertThat(api.graphql(tenant.adminToken(), series).at("data.usageSeries.totals.cost")).isEqualTo(Map.of("amount", "0.000000000", "currencyCode", "USD"));

        TestApi.Response input = api.graphql(admin, RATE_SET, Map.of("input", Map.of("provider", "anthropic", "model", "claude-9", "meter", "input_tokens",
                "unitPrice", "2", "per", 1000000, "effectiveFrom", "2026-04-01T00:00:00Z")));
        assertThat(input.at("data.rateSet.repricedEventCount")).isEqualTo(1);
        assertThat(rows.value("SELECT priced FROM usage_event WHERE event_id = 'u-1'")).isIn(false, 0, (byte) 0);
        TestApi.Response output = api.graphql(admin, RATE_SET, Map.of("input", Map.of("provider", "anthropic", "model", "claude-9", "meter", "output_tokens",
                "unitPrice", "10", "per", 1000000, "effectiveFrom", "2026-04-01T00:00:00Z")));
        assertThat(output.at("data.rateSet.repricedEventCount")).isEqualTo(1);
        assertThat(rows.value("SELECT cost FROM usage_event WHERE event_id = 'u-1'").toString()).isEqualTo("2.010000000");
        assertThat(rows.count("SELECT COUNT(*) FROM usage_reprice_audit a JOIN usage_event e ON e.id = a.usage_event_id WHERE e.event_id = 'u-1'")).isEqualTo(2);
        TestApi.Response after = api.graphql(tenant.adminToken(), "{ usageSummary(range: {from: \"2026-04-01\", to: \"2026-04-30\"}) { unpricedRequests cost { amount currencyCode } } }");
        assertThat(after.at("data.usageSummary.unpricedRequests")).isEqualTo(0);
        assertThat(after.at("data.usageSummary.cost")).isEqualTo(Map.of("amount", "2.010000000", "currencyCode", "USD"));
        roller.rollAll();
        TestApi.Response rolled = api.graphql(tenant.adminToken(), series);
        assertThat(rolled.at("data.usageSeries.totals.requests")).isEqualTo(1);
        assertThat(new java.math.BigDecimal((String) rolled.at("data.usageSeries.totals.tokens"))).isEqualByComparingTo("1001000");
        assertThat(rolled.at("data.usageSeries.totals.cost")).isEqualTo(Map.of("amount", "2.010000000", "currencyCode", "USD"));
        assertThat(rolled.at("data.usageSeries.totals.originalCost")).isEqualTo(List.of(Map.of("amount", "2.010000000", "currencyCode", "USD")));
    }

    @Test
    void strictOrganizationsRefuseUnpricedUsageAndOverridesApply() {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "strict", "UTC");
        String update = "mutation($input: OrganizationPricingUpdateInput!) { organizationPricingUpdate(input: $input) { organization { costFactor discountPercent unpricedUsagePolicy } userErrors { field code } } }";
        TestApi.Response bad = api.graphql(admin, update, Map.of("input", Map.of("organizationId", tenant.organizationId(), "discountPercent", "150")));
        assertThat(bad.codes("data.organizationPricingUpdate.userErrors")).containsExactly("OUT_OF_RANGE");
        TestApi.Response byOrg = api.graphql(tenant.adminToken(), update, Map.of("input", Map.of("organizationId", tenant.organizationId(), "costFactor", "2")));
        assertThat(byOrg.at("errors.0.extensions.code")).isEqualTo("FORBIDDEN");
        TestApi.Response updated = api.graphql(admin, update, Map.of("input", Map.of("organizationId", tenant.organizationId(),
                "costFactor", "1.5", "discountPercent", "10", "unpricedUsagePolicy", "REJECT")));
        assertThat(updated.at("data.organizationPricingUpdate.organization.unpricedUsagePolicy")).isEqualTo("REJECT");

        long before = rows.count("SELECT COUNT(*) FROM usage_event");
        TestApi.Response refused = api.usage(tenant.apiKey(), usage("s-1", "2026-04-02T10:00:00Z", "openai", "gpt-99", "{\"input_tokens\":10}"));
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.at("errors.0.code")).isEqualTo("UNPRICED");
        assertThat(rows.count("SELECT COUNT(*) FROM usage_event")).isEqualTo(before);
        // gpt-4: 1,000 input tokens = 0.03, x 1.5 x 0.9 = 0.0405
        assertThat(api.usage(tenant.apiKey(), usage("s-2", "2026-04-02T10:00:00Z", "openai", "gpt-4", "{\"input_tokens\":1000}")).at("results.0.cost")).isEqualTo("0.040500000");
    }
}
