package io.meterline.platform.billing;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

/**
 * How Meterline talks to Stripe ({@code meterline.stripe.*}); every default lives in application.yml.
 *
 * @param secretKey the Stripe secret key ({@code sk_live_...}, {@code sk_test_...} or a restricted {@code rk_...});
 *                  blank means Stripe is not configured: the Stripe actions answer {@code BILLING_NOT_CONFIGURED}
 * @param apiBase where the Stripe API is; tests point it at WireMock
 * @param successUrl where Checkout sends the browser after a payment; Stripe replaces {@code {CHECKOUT_SESSION_ID}}
 * @param cancelUrl where Checkout sends the browser when the user goes back
 * @param portalReturnUrl where the Billing Portal's "return" link goes
 * @param connectTimeout how long to wait for a connection to Stripe
 * @param readTimeout how long to wait for Stripe's answer to one attempt
 * @param maxNetworkRetries how often stripe-java retries a connection failure, a timeout, a 409 or a 5xx, with the same idempotency key
 * @param creditPurchaseMaximum the largest money credit purchase, in the organization's billing currency
 * @param topUpPacks the token top-up packs on sale, each {@code CURRENCY:TOKENS:PRICE} such as {@code CAD:1000000:20.00}
 */
@ConfigurationProperties("meterline.stripe")
public record StripeConfiguration(
        @Nullable String secretKey,
        @NotBlank String apiBase,
        @NotBlank String successUrl,
        @NotBlank String cancelUrl,
        @NotBlank String portalReturnUrl,
        @NotNull Duration connectTimeout,
        @NotNull Duration readTimeout,
        int maxNetworkRetries,
        @NotNull BigDecimal creditPurchaseMaximum,
        @Nullable List<String> topUpPacks) {

    public StripeConfiguration {
        // An empty list is an absent property once bound: no packs on sale.
        topUpPacks = topUpPacks == null ? List.of() : List.copyOf(topUpPacks);
    }

    /** Whether a secret key is set: without one every Stripe action is refused before anything is stored. */
    public boolean configured() {
        return secretKey != null && !secretKey.isBlank();
    }
}
