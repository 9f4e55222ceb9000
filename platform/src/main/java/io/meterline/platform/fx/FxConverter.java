package io.meterline.platform.fx;

import io.meterline.platform.common.Money;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The one place where money changes currency. Every rate is stored against one base, the euro; a
 * cross rate (USD to CAD) is {@code EUR→CAD / EUR→USD}, divided once to {@link #RATE_SCALE} decimals
 * HALF_EVEN; the converted amount is {@code Money.round(amount × rate)}, rounded once. A day without a
 * published rate (weekends, TARGET holidays, today before the ECB publishes) uses the last published day
 * on or before it; a day before the first rate has none, and the caller holds its amount as unconverted.
 *
 * <p>Rates are cached in memory per currency, whole history at once, so converting on the ingestion
 * path reads no database. A stored rate never changes, so an answer from the day's own rate is final.
 * Only an answer that fell back to an earlier day (or found none) can be outdated by a rate stored since
 * for that day; such answers trust the cache for {@code meterline.fx.cache-ttl}, and rates stored on this
 * instance drop their currency from the cache at once.
 */
@Singleton
public class FxConverter {

    /** The one base every rate is stored against. */
    public static final String BASE = "EUR";
    /** Decimals of every rate the converter uses or reports. */
    public static final int RATE_SCALE = 12;
    /** How a cross rate's division rounds. */
    public static final RoundingMode RATE_ROUNDING = RoundingMode.HALF_EVEN;

    private static final Pattern CODE = Pattern.compile("[A-Z]{3}");
    private static final BigDecimal ONE = BigDecimal.ONE.setScale(RATE_SCALE);

    private final RateHistory store;
    private final Clock clock;
    private final Duration cacheTtl;
    private final Map<String, History> cache = new ConcurrentHashMap<>();

    public FxConverter(RateHistory store, Clock clock, FxConfiguration configuration) {
        this.store = store;
        this.clock = clock;
        this.cacheTtl = configuration.cacheTtl();
    }

    /** One currency's rates against the base, by day, as read at {@code loadedAt}. */
    private record History(NavigableMap<LocalDate, FxRate> byDay, Instant loadedAt) {
    }

    /** One leg against the base: the rate, its day and source (the base itself is 1, ECB, on the day asked). */
    private record Leg(BigDecimal rate, LocalDate rateDate, FxSource source) {
    }

    /**
     * Converts an amount into another currency at the rate of a day.
     *
     * @param amount the amount in {@code from}
     * @param from the ISO 4217 code of the amount's currency
     * @param to the ISO 4217 code to convert into
     * @param day the day whose rate applies (the usage's date)
     * @return the converted amount, the rate and its day; the amount rounded with rate 1 when the currencies are the
     *         same; empty when either currency has no rate on or before {@code day}
     * @throws IllegalArgumentException when a code is not three capital letters
     */
    public Optional<Conversion> convert(BigDecimal amount, String from, String to, LocalDate day) {
        Objects.requireNonNull(amount, "amount is null");
        return rate(from, to, day).map(rate -> new Conversion(Money.round(amount.multiply(rate.rate())), to, rate.rate(), rate.rateDate()));
    }

    /** {@link #convert(BigDecimal, String, String, LocalDate)} of a {@link Money}. */
    public Optional<Conversion> convert(Money money, String to, LocalDate day) {
        Objects.requireNonNull(money, "money is null");
        return convert(money.amount(), money.currencyCode(), to, day);
    }

    /**
     * The rate from one currency into another on a day: units of {@code to} per unit of {@code from}.
     *
     * @return the rate, 1 for the same currency (dated {@code day}, source ECB); empty when either currency has no rate
     *         on or before {@code day}
     * @throws IllegalArgumentException when a code is not three capital letters
     */
    public Optional<CrossRate> rate(String from, String to, LocalDate day) {
        requireCode(from, "from");
        requireCode(to, "to");
        Objects.requireNonNull(day, "day is null");
        if (from.equals(to)) {
            return Optional.of(new CrossRate(from, to, ONE, day, FxSource.ECB));
        }
        Optional<Leg> fromLeg = leg(from, day);
        Optional<Leg> toLeg = leg(to, day);
        if (fromLeg.isEmpty() || toLeg.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(cross(from, to, fromLeg.get(), toLeg.get()));
    }

    /** Forgets the cached rates of these currencies, after rates were stored for them. */
    void invalidate(Iterable<String> currencies) {
        for (String currency : currencies) {
            cache.remove(currency);
        }
    }

    /** Forgets every cached rate. */
    void invalidateAll() {
        cache.clear();
    }

    /** The cross rate of two legs against the base: the only division of rates. */
    private static CrossRate cross(String from, String to, Leg fromLeg, Leg toLeg) {
        BigDecimal rate = toLeg.rate().divide(fromLeg.rate(), RATE_SCALE, RATE_ROUNDING);
        LocalDate rateDate = fromLeg.rateDate().isBefore(toLeg.rateDate()) ? fromLeg.rateDate() : toLeg.rateDate();
        return new CrossRate(from, to, rate, rateDate, leastOfficial(fromLeg.source(), toLeg.source()));
    }

    /** MANUAL, then BUNDLED, then ECB: a cross rate is as official as its weaker leg. */
    private static FxSource leastOfficial(FxSource first, FxSource second) {
        for (FxSource source : List.of(FxSource.MANUAL, FxSource.BUNDLED)) {
            if (first == source || second == source) {
                return source;
            }
        }
        return FxSource.ECB;
    }

    private Optional<Leg> leg(String currency, LocalDate day) {
        if (BASE.equals(currency)) {
            return Optional.of(new Leg(ONE, day, FxSource.ECB));
        }
        History history = history(currency, false);
        Map.Entry<LocalDate, FxRate> found = history.byDay().floorEntry(day);
        boolean exact = found != null && found.getKey().equals(day);
        if (!exact && history.loadedAt().plus(cacheTtl).isBefore(clock.instant())) {
            // A rate for this very day (or an earlier one) may have been stored on another instance since.
            found = history(currency, true).byDay().floorEntry(day);
        }
        if (found == null) {
            return Optional.empty();
        }
        FxRate rate = found.getValue();
        return Optional.of(new Leg(rate.rate(), rate.rateDate(), rate.source()));
    }

    private History history(String currency, boolean reload) {
        History cached = reload ? null : cache.get(currency);
        if (cached != null) {
            return cached;
        }
        Instant loadedAt = clock.instant();
        NavigableMap<LocalDate, FxRate> byDay = new TreeMap<>();
        for (FxRate rate : store.history(currency)) {
            byDay.put(rate.rateDate(), rate);
        }
        History loaded = new History(Collections.unmodifiableNavigableMap(byDay), loadedAt);
        cache.put(currency, loaded);
        return loaded;
    }

    private static void requireCode(String code, String name) {
        Objects.requireNonNull(code, name + " is null");
        if (!CODE.matcher(code).matches()) {
            throw new IllegalArgumentException(name + " is not an ISO 4217 code: " + code);
        }
    }
}
