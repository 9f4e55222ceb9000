package io.meterline.platform.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/** Exchange rates and priced usage for tests of the billing currency: rates set through fxRateSet, and the hand computation a conversion must match. */
public final class FxFixtures {

    /** gpt-4 list prices: 123,457 input tokens at 0.03 USD and 54,321 output tokens at 0.06 USD per thousand. */
    public static final BigDecimal GPT4_COST = new BigDecimal("6.962970000");
    private static final String SET_RATE = "mutation($input: FxRateSetInput!) { fxRateSet(input: $input) { fxRate { rate } userErrors { field code } } }";

    private FxFixtures() {
    }

    /** Sets a rate (units of {@code currency} per euro) for a day as a platform admin, and checks it was stored. */
    public static void setRate(TestApi api, String adminToken, String currency, String rate, String date) {
        TestApi.Response response = api.graphql(adminToken, SET_RATE, Map.of("input", Map.of("currency", currency, "rate", rate, "date", date)));
        assertThat(response.at("data.fxRateSet.userErrors")).as(response.body()).isEqualTo(List.of());
    }

    /** The hand computation: the cross rate divided once to 12 decimals, the amount rounded once to 9, both HALF_EVEN. */
    public static BigDecimal converted(BigDecimal amount, String fromPerEuro, String toPerEuro) {
        BigDecimal rate = new BigDecimal(toPerEuro).divide(new BigDecimal(fromPerEuro), 12, RoundingMode.HALF_EVEN);
        return amount.multiply(rate).setScale(9, RoundingMode.HALF_EVEN);
    }

    /** A gpt-4 call costing {@link #GPT4_COST} USD, as {@code POST /v1/usage} takes it. */
    public static Map<String, Object> gpt4(String id, String timestamp) {
        return Map.of("id", id, "timestamp", timestamp, "provider", "openai", "model", "gpt-4", "meters", Map.of("input_tokens", 123457, "output_tokens", 54321));
    }
}
