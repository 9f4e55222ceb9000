package io.meterline.platform.admin;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import java.util.Currency;

/**
 * The currency platform admins read every cross-organization figure in ({@code meterline.reporting-currency},
 * default USD in application.yml): customers are billed in their own currencies, and only one currency ranks and adds them up.
 * Created at start ({@link Context}), so a code that is not an ISO 4217 currency stops the server there
 * rather than at the first admin page.
 *
 * @param reportingCurrency an ISO 4217 code in capitals, such as {@code USD}
 */
@Context
@ConfigurationProperties("meterline")
public record ReportingConfiguration(String reportingCurrency) {

    public ReportingConfiguration {
        if (reportingCurrency == null || !reportingCurrency.matches("[A-Z]{3}") || !isCurrency(reportingCurrency)) {
            throw new IllegalArgumentException("meterline.reporting-currency must be an ISO 4217 currency code in capitals, such as USD; got " + reportingCurrency);
        }
    }

    private static boolean isCurrency(String code) {
        try {
            // Funds and metals (XAU, XDR) have no fraction digits: nothing is billed in them.
            return Currency.getInstance(code).getDefaultFractionDigits() >= 0;
        }
        catch (IllegalArgumentException e) {
            return false;
        }
    }
}
