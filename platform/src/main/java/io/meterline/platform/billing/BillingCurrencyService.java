package io.meterline.platform.billing;

import io.meterline.platform.account.BillingCurrencyHistory;
import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.fx.FxConverter;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * Changes the currency an organization is billed in, from a day on (platform admins: the currency is
 * part of the customer's contract). Refused while a paid Stripe subscription runs, since Stripe bills a
 * subscription in one currency for its whole life, and for a currency no exchange rate reaches, whose
 * usage could never be converted.
 */
@Singleton
public class BillingCurrencyService {

    private final BillingCurrencyHistory history;
    private final BillingStore store;
    private final FxConverter fx;
    private final OrganizationRepository organizations;
    private final TenantScope tenantScope;
    private final Clock clock;

    public BillingCurrencyService(BillingCurrencyHistory history, BillingStore store, FxConverter fx, OrganizationRepository organizations,
                                  TenantScope tenantScope, Clock clock) {
        this.history = history;
        this.store = store;
        this.fx = fx;
        this.organizations = organizations;
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    /** {@code BillingCurrencyChangeInput}. */
    public record Change(String organizationId, String currencyCode, @Nullable LocalDate effectiveFrom) {

        public Change {
            Objects.requireNonNull(organizationId, "organizationId is null");
            Objects.requireNonNull(currencyCode, "currencyCode is null");
        }
    }

    /** Schedules the change and answers the organization as it is now (its current currency changed when the day is today). */
    @Transactional
    public Organization change(Viewer viewer, Change change) {
        tenantScope.requirePlatformAdmin(viewer);
        long id = tenantScope.organizationFor(viewer, change.organizationId());
        Organization organization = organizations.findById(id).orElseThrow(() -> MeterlineException.notFound("Organization"));
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        String currency = change.currencyCode();
        if (BillingCurrencyHistory.isBillingCurrency(currency) && fx.rate(FxConverter.BASE, currency, today).isEmpty()) {
            throw BillingErrors.field("currencyCode", BillingErrorCode.NO_EXCHANGE_RATE, "No exchange rate into " + currency
                    + " is stored, so usage could not be converted into it; set one first (fxRateSet)");
        }
        if (store.subscription(id).filter(subscription -> subscription.status().holdsPlan()).isPresent()) {
            throw BillingErrors.of(BillingErrorCode.INVALID_STATE, "The organization's Stripe subscription bills in " + organization.billingCurrency()
                    + " for as long as it runs; cancel it (or let it end) before changing the billing currency");
        }
        history.change(organization, currency, change.effectiveFrom() == null ? today : change.effectiveFrom());
        return organizations.findById(id).orElseThrow();
    }

    /** The organization's billing currencies by the day each applies from, oldest first; empty when it never changed. */
    public BillingCurrencyHistory.Schedule schedule(Organization organization) {
        return history.of(organization);
    }
}
