package io.meterline.platform.fx;

import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the European Central Bank's reference rates ({@code meterline.fx.ecb-url}) every
 * {@code meterline.fx.load-interval}. One instance loads at a time (a lease row in
 * {@code fx_load_status}); a load makes up to {@code max-attempts} attempts with the {@code backoff}
 * waits between them. An attempt fetches and checks the whole document ({@link EcbRatesParser}); then
 * its new rates and the status are stored in one transaction, so a failed load stores nothing. After
 * the last failed attempt the status reads FAILED with the error's class, which platform admins see
 * in {@code fxStatus}; the next load tries again.
 */
@Singleton
public class EcbLoader {

    /** The ECB publishes for Frankfurt's calendar days: a rate's day is never after today there. */
    static final ZoneId ECB_ZONE = ZoneId.of("Europe/Berlin");

    private static final Logger LOG = LoggerFactory.getLogger(EcbLoader.class);

    private final FxStore store;
    private final FxConverter converter;
    private final FxConfiguration configuration;
    private final Clock clock;
    private final ApplicationEventPublisher<FxRatesStored> ratesStored;
    private final ExecutorService httpExecutor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "fx-ecb-http");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient http;

    public EcbLoader(FxStore store, FxConverter converter, FxConfiguration configuration, Clock clock,
                     ApplicationEventPublisher<FxRatesStored> ratesStored) {
        this.ratesStored = ratesStored;
        this.store = store;
        this.converter = converter;
        this.configuration = configuration;
        this.clock = clock;
        // Redirects are not followed: the ECB answers its URL directly, and a redirect could lead anywhere.
        this.http = HttpClient.newBuilder().connectTimeout(configuration.timeout()).followRedirects(HttpClient.Redirect.NEVER)
                .executor(httpExecutor).build();
    }

    @Scheduled(fixedDelay = "${meterline.fx.load-interval}", initialDelay = "${meterline.fx.first-load-after}")
    void scheduled() {
        if (!configuration.ecbEnabled()) {
            return;
        }
        try {
            loadNow();
        }
        catch (RuntimeException e) {
            LOG.warn("Loading the ECB's exchange rates failed; retrying on the next run", e);
        }
    }

    /**
     * Loads the rates now, unless another instance is loading.
     *
     * @return the status after this load (or the other instance's last one)
     */
    public FxLoadStatus loadNow() {
        Instant start = clock.instant();
        if (!store.claimLoad(start, start.plus(configuration.lease()))) {
            return store.status();
        }
        FxLoadException failure = null;
        int attempt = 0;
        while (attempt < configuration.maxAttempts()) {
            attempt++;
            try {
                SortedMap<LocalDate, Map<String, BigDecimal>> rates = EcbRatesParser.parse(fetch(), LocalDate.now(clock.withZone(ECB_ZONE)));
                store(rates, attempt);
                return store.status();
            }
            catch (FxLoadException e) {
                failure = e;
                LOG.warn("Attempt {} of {} to load the ECB's exchange rates failed: {} ({})", attempt, configuration.maxAttempts(), e.error(),
                        e.getMessage());
                if (attempt < configuration.maxAttempts() && !pause(configuration.backoffAfter(attempt))) {
                    break;
                }
            }
        }
        store.recordFailure(failure.error(), failure.httpStatus(), attempt, clock.instant());
        return store.status();
    }

    private void store(SortedMap<LocalDate, Map<String, BigDecimal>> rates, int attempts) {
        // A day with ECB rates was stored whole by an earlier load (one transaction); a history file repeats
        // its days on every load, and skipping them keeps a load of the 90-day file to its new days.
        Set<LocalDate> stored = store.daysFrom(FxSource.ECB, rates.firstKey(), rates.lastKey());
        List<FxStore.NewRate> newRates = new ArrayList<>();
        TreeSet<String> currencies = new TreeSet<>();
        rates.forEach((day, byCurrency) -> byCurrency.forEach((currency, rate) -> {
            if (stored.contains(day)) {
                return;
            }
            newRates.add(new FxStore.NewRate(currency, day, rate, FxSource.ECB, null));
            currencies.add(currency);
        }));
        int added = store.storeLoad(newRates, rates.lastKey(), attempts, clock.instant());
        converter.invalidate(currencies);
        if (added > 0) {
            ratesStored.publishEvent(new FxRatesStored(currencies, FxSource.ECB.name()));
        }
        LOG.info("Loaded the ECB's exchange rates up to {}: {} new rates", rates.lastKey(), added);
    }

    /** The document, or why not: the whole exchange, body included, within {@code meterline.fx.timeout}. */
    private byte[] fetch() throws FxLoadException {
        HttpRequest request = HttpRequest.newBuilder(configuration.ecbUrl()).timeout(configuration.timeout())
                .header("Accept", "application/xml, text/xml").GET().build();
        HttpResponse<byte[]> response;
        LimitedBody body = new LimitedBody(configuration.maxResponseBytes());
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request, info -> info.statusCode() == 200
                ? body
                : HttpResponse.BodySubscribers.replacing(new byte[0]));
        try {
            response = exchange.get(configuration.timeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException e) {
            exchange.cancel(true);
            throw new FxLoadException(FxLoadError.TIMEOUT, null, "no complete answer within " + configuration.timeout(), null);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FxLoadException(FxLoadError.UNREACHABLE, null, "interrupted", null);
        }
        catch (ExecutionException | CancellationException e) {
            if (body.exceeded()) {
                throw new FxLoadException(FxLoadError.MALFORMED, null, "the answer is larger than meterline.fx.max-response-bytes", null);
            }
            throw classify(e.getCause() == null ? e : e.getCause());
        }
        if (response.statusCode() != 200) {
            throw new FxLoadException(FxLoadError.HTTP_STATUS, response.statusCode(), "the ECB answered HTTP " + response.statusCode(), null);
        }
        return response.body();
    }

    private static FxLoadException classify(Throwable cause) {
        // The client may wrap what failed (an IOException around the body's own exception): look through the chain.
        for (Throwable current = cause; current != null; current = current.getCause()) {
            if (current instanceof LimitedBody.TooLargeException) {
                return new FxLoadException(FxLoadError.MALFORMED, null, "the answer is larger than meterline.fx.max-response-bytes", null);
            }
            if (current instanceof HttpTimeoutException) {
                return new FxLoadException(FxLoadError.TIMEOUT, null, "no answer in time", null);
            }
        }
        // Connection refused, DNS, TLS, a reset: only the class is kept, an exception's text can carry what the peer sent.
        return new FxLoadException(FxLoadError.UNREACHABLE, null, cause.getClass().getSimpleName(), null);
    }

    /** Waits between attempts; false when interrupted (the server is stopping). */
    private static boolean pause(Duration wait) {
        if (wait.isZero() || wait.isNegative()) {
            return true;
        }
        try {
            Thread.sleep(wait.toMillis());
            return true;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @PreDestroy
    void close() {
        httpExecutor.shutdownNow();
    }
}
