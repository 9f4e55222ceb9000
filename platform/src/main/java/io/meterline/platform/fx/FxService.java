package io.meterline.platform.fx;

import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.graphql.Connection.Position;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Exchange rates for the API. Every signed-in user reads rates ({@code fxRate}); platform admins set a
 * rate against the euro ({@code fxRateSet}), list the stored ones and see the ECB loader's status.
 *
 * <p>A rate set by hand is stored like the ECB's, insert-if-absent: for a day the ECB has not
 * published (yet), the admin's rate is the one kept, and the ECB's for that day is ignored when it
 * arrives. A day that already has a rate is refused (CONFLICT): amounts converted at a rate are never
 * re-converted, so a stored rate is never changed.
 */
@Singleton
public class FxService {

    /** The euro's first day; no rate is older. */
    static final LocalDate FIRST_DAY = LocalDate.of(1999, 1, 1);
    /** The largest day a cursor or a stored date may name (DATE columns end in 9999). */
    private static final LocalDate LAST_DAY = LocalDate.of(9999, 12, 31);
    private static final int MAX_INTEGER_DIGITS = 12;

    private final FxStore store;
    private final FxConverter converter;
    private final FxConfiguration configuration;
    private final TenantScope tenantScope;
    private final Clock clock;
    private final ApplicationEventPublisher<FxRatesStored> ratesStored;

    public FxService(FxStore store, FxConverter converter, FxConfiguration configuration, TenantScope tenantScope, Clock clock,
                     ApplicationEventPublisher<FxRatesStored> ratesStored) {
        this.ratesStored = ratesStored;
        this.store = store;
        this.converter = converter;
        this.configuration = configuration;
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    /**
     * The input of {@code fxRateSet}, read once at the GraphQL boundary.
     *
     * @param currency the currency priced against the euro
     * @param rate units of the currency per euro
     * @param date the day the rate applies to
     */
    public record RateSetInput(@Nullable String currency, @Nullable BigDecimal rate, @Nullable LocalDate date) {
    }

    /** A page of stored rates and how many match. */
    public record RatePage(List<FxRate> rates, long totalCount) {
    }

    /**
     * The ECB loader's state with the settings an admin checks first, and how fresh the stored rates are.
     *
     * @param newestRateDate the newest day any rate is stored for (ECB, bundled or set by hand); null when none is
     * @param stale whether that day is older than {@code meterline.fx.max-rate-age} before today (or no rate exists):
     *              usage is still converted at the last published rate, which is getting old
     */
    public record Status(FxLoadStatus load, String url, boolean enabled, @Nullable LocalDate newestRateDate, boolean stale) {
    }

    /**
     * The rate from one currency into another on a day (today in Frankfurt when null), as the converter
     * uses it; empty when no rate exists on or before that day.
     */
    public Optional<CrossRate> rate(Viewer viewer, String from, String to, @Nullable LocalDate date) {
        Objects.requireNonNull(viewer, "viewer is null");
        if (from.equals(to)) {
            throw MeterlineException.badInput("from and to are the same currency; its rate is 1");
        }
        LocalDate today = today();
        LocalDate day = date == null ? today : date;
        if (day.isAfter(today)) {
            throw MeterlineException.badInput("date is in the future; rates exist up to " + today);
        }
        return converter.rate(from, to, day);
    }

    /** Stores a rate against the euro set by a platform admin. */
    public FxRate set(Viewer viewer, RateSetInput input) {
        tenantScope.requirePlatformAdmin(viewer);
        List<UserError> errors = new ArrayList<>();
        String currency = input.currency();
        if (currency == null) {
            errors.add(UserError.of("currency", FxErrorCode.BLANK, "Name the currency the rate prices against EUR"));
        }
        else if (FxConverter.BASE.equals(currency)) {
            errors.add(UserError.of("currency", FxErrorCode.INVALID, "Rates are set against EUR; EUR against itself is always 1"));
        }
        else if (Currency.getInstance(currency).getDefaultFractionDigits() < 0) {
            errors.add(UserError.of("currency", FxErrorCode.INVALID, currency + " is not a currency money is billed in (a metal, fund or test code)"));
        }
        BigDecimal rate = input.rate();
        if (rate == null) {
            errors.add(UserError.of("rate", FxErrorCode.BLANK, "Give the rate: units of the currency one euro buys"));
        }
        else if (!isStorableRate(rate)) {
            errors.add(UserError.of("rate", FxErrorCode.OUT_OF_RANGE,
                    "The rate must be more than 0, below 10^12, with at most " + FxConverter.RATE_SCALE + " decimals"));
        }
        LocalDate date = input.date();
        LocalDate today = today();
        if (date == null) {
            errors.add(UserError.of("date", FxErrorCode.BLANK, "Give the day the rate applies to"));
        }
        else if (date.isAfter(today)) {
            errors.add(UserError.of("date", FxErrorCode.OUT_OF_RANGE, "The day is in the future; rates can be set up to " + today + " (Frankfurt)"));
        }
        else if (date.isBefore(FIRST_DAY)) {
            errors.add(UserError.of("date", FxErrorCode.OUT_OF_RANGE, "The day is before the euro existed (" + FIRST_DAY + ")"));
        }
        UserInputException.throwIfAny(errors);
        FxStore.NewRate newRate = new FxStore.NewRate(currency, date, rate.setScale(FxConverter.RATE_SCALE), FxSource.MANUAL, viewer.email());
        if (!store.insertIfAbsent(newRate, clock.instant())) {
            FxSource existing = store.find(currency, date).map(FxRate::source).orElse(FxSource.ECB);
            throw new UserInputException(UserError.of("date", FxErrorCode.CONFLICT, currency + " already has a rate for " + date + " (" + existing
                    + "); stored rates are never changed, because amounts converted at them are not re-converted"));
        }
        converter.invalidate(List.of(currency));
        ratesStored.publishEvent(new FxRatesStored(Set.of(currency), viewer.email()));
        return store.find(currency, date).orElseThrow();
    }

    /** Stored rates against the euro, newest day first; platform admins. */
    public RatePage rates(Viewer viewer, @Nullable String currency, int first, @Nullable Position after) {
        tenantScope.requirePlatformAdmin(viewer);
        if (after != null && (after.value() < FIRST_DAY.toEpochDay() || after.value() > LAST_DAY.toEpochDay())) {
            throw MeterlineException.badInput("after is not a cursor from this connection");
        }
        return new RatePage(store.page(currency, after, first + 1), store.count(currency));
    }

    /** The ECB loader's status; platform admins. */
    public Status status(Viewer viewer) {
        tenantScope.requirePlatformAdmin(viewer);
        Optional<LocalDate> newest = store.newestRateDate();
        boolean stale = newest.map(day -> day.isBefore(today().minusDays(configuration.maxRateAge().toDays()))).orElse(true);
        return new Status(store.status(), configuration.ecbUrl().toString(), configuration.ecbEnabled(), newest.orElse(null), stale);
    }

    /** Whether a rate fits the column and the one scale: above 0, at most 12 integer digits and 12 decimals. */
    static boolean isStorableRate(BigDecimal rate) {
        if (rate.signum() <= 0) {
            return false;
        }
        BigDecimal stripped = rate.stripTrailingZeros();
        return stripped.scale() <= FxConverter.RATE_SCALE && stripped.precision() - stripped.scale() <= MAX_INTEGER_DIGITS;
    }

    /** Today in Frankfurt, where the ECB dates its rates. */
    private LocalDate today() {
        return LocalDate.now(clock.withZone(EcbLoader.ECB_ZONE));
    }
}
