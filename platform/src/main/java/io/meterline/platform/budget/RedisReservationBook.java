package io.meterline.platform.budget;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.meterline.platform.bus.RedisConfiguration;
import io.micronaut.context.annotation.Requires;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import io.meterline.platform.account.ApiKeyRevoked;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds in Redis, used when {@code redis.uri} is set: each decision is one call of the
 * {@code meterline_authorize} function of {@code redis/budget-holds.lua}, which checks every matching
 * budget's room and takes the hold atomically for all instances, with no database write or lock on
 * the way. What a decision needs is kept ready:
 * <ul>
 * <li>an organization's budgets, time zone and active API keys are cached per instance under a
 * catalog token that {@link #budgetsChanged} (and a key's revocation) replaces in Redis; a decision
 * made with an old token is answered STALE and retried on a fresh catalog, so a budget is enforced,
 * and a revoked key refused, on every instance once its mutation returns;</li>
 * <li>each budget period's consumption is mirrored in Redis from the database counter: raised after
 * every ingestion commit together with the release of the holds that usage settles, and dropped
 * {@link #MIRROR_TTL_MS} after the last raise, to be read from the database again; a mirror only ever
 * rises, so a late or repeated raise is harmless.</li>
 * </ul>
 * Amounts are scaled integers of {@link Budget.Metric#heldScale} decimals: estimates and
 * consumption are rounded up and limits down, so rounding only ever denies, never over-admits.
 * The functions also touch keys they derive (a period's expiry set, a reservation's hold list):
 * they need a single Redis node, not a cluster. If this instance dies between an ingestion commit
 * and the raise, the held estimate keeps counting until the hold expires and the mirror is re-read
 * from the database at the latest {@link #MIRROR_TTL_MS} later; Redis losing its data loses the
 * unexpired holds, never recorded usage.
 */
@Singleton
@Requires(property = "redis.uri")
public class RedisReservationBook implements ReservationBook {

    static final long MIRROR_TTL_MS = 60_000;
    private static final long HOLD_SLACK_MS = 60_000;
    private static final int ATTEMPTS = 5;
    private static final Logger LOG = LoggerFactory.getLogger(RedisReservationBook.class);

    private final String prefix;
    private final String library;
    private final StatefulRedisConnection<String, String> connection;
    private final BudgetStore store;
    private final BudgetMeasure measure;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;
    private final Map<Long, Catalog> catalogs = new ConcurrentHashMap<>();

    /** An organization's budgets and active API keys as of a catalog token. */
    private record Catalog(String token, ZoneId zone, List<Budget> budgets, Set<Long> activeKeys) {
    }

    public RedisReservationBook(RedisClient client, RedisConfiguration redis,
                                BudgetStore store, BudgetMeasure measure, TransactionOperations<Connection> transactions, Clock clock) {
        this.prefix = redis.prefix();
        this.library = read("redis/budget-holds.lua");
        this.connection = client.connect();
        this.store = store;
        this.measure = measure;
        this.transactions = transactions;
        this.clock = clock;
        commands().functionLoad(library, true);
    }

    @Override
    public AuthorizationService.Answer decide(long organizationId, AuthorizationService.Request request, int ttlSeconds) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Catalog catalog = catalogs.computeIfAbsent(organizationId, this::loadCatalog);
            Long apiKey = request.caller().apiKeyId();
            if (apiKey != null && !catalog.activeKeys().contains(apiKey) && attempt == 1) {
                // A key created after the catalog was read: read it again before refusing.
                catalogs.remove(organizationId);
                continue;
            }
            AuthorizationService.requireActiveKey(request, catalog.activeKeys());
            Instant now = clock.instant();
            List<Budget> matching = catalog.budgets().stream().filter(budget -> measure.covers(budget, request.caller(), request.provider())).toList();
            List<BudgetPeriods.Window> windows = matching.stream().map(budget -> BudgetPeriods.of(budget, now, catalog.zone())).toList();
            String reservationId = AuthorizationService.newReservationId();
            // Rounded up to a whole second: the holds expiring in one second are one bucket in Redis (budget-holds.lua).
            Instant expiresAt = now.plusSeconds(ttlSeconds).plusNanos(999_999_999).truncatedTo(ChronoUnit.SECONDS);
            List<String> keys = new ArrayList<>(List.of(prefix + "budgets:" + organizationId, reservationKey(organizationId, reservationId)));
            List<String> args = new ArrayList<>(List.of(catalog.token(), millis(now), millis(expiresAt), reservationId,
                    Long.toString(ttlSeconds * 1000L + HOLD_SLACK_MS)));
            List<BigDecimal> requested = new ArrayList<>();
            for (int i = 0; i < matching.size(); i++) {
                Budget budget = matching.get(i);
                String base = base(budget.id(), windows.get(i).start());
                keys.add(base + ":c");
                keys.add(base + ":h");
                BigDecimal amount = measure.requested(budget, request.estimate());
                requested.add(amount);
                args.add(budget.limitAmount() == null ? "-1" : scaled(budget.limitAmount(), budget.metric(), RoundingMode.FLOOR));
                args.add(budget.hard() ? "1" : "0");
                args.add(scaled(amount, budget.metric(), RoundingMode.CEILING));
            }
            List<Object> reply = call("meterline_authorize", keys, args);
            String outcome = (String) reply.get(0);
            if (outcome.equals("STALE")) {
                catalogs.remove(organizationId);
                continue;
            }
            if (outcome.equals("LOAD")) {
                List<BudgetStore.CounterKey> missing = new ArrayList<>();
                List<Budget.Metric> metrics = new ArrayList<>();
                for (Object index : reply.subList(1, reply.size())) {
                    int i = Integer.parseInt((String) index) - 1;
                    missing.add(new BudgetStore.CounterKey(matching.get(i).id(), windows.get(i).start()));
                    metrics.add(matching.get(i).metric());
                }
                loadConsumed(missing, metrics);
                continue;
            }
            List<AuthorizationService.Hold> holds = new ArrayList<>();
            for (int i = 0; i < matching.size(); i++) {
                Budget budget = matching.get(i);
                BigDecimal consumed = new BigDecimal((String) reply.get(2 + 2 * i));
                BigDecimal reserved = unscaled((String) reply.get(3 + 2 * i), budget.metric());
                holds.add(AuthorizationService.Hold.of(budget, requested.get(i), consumed, reserved, windows.get(i).end()));
            }
            int denied = Integer.parseInt((String) reply.get(1));
            if (denied > 0) {
                return AuthorizationService.Answer.deny(holds.get(denied - 1), holds);
            }
            return matching.isEmpty() ? AuthorizationService.Answer.allow(holds, null, null) : AuthorizationService.Answer.allow(holds, reservationId, expiresAt);
        }
        throw new IllegalStateException("Budgets of organization " + organizationId + " kept changing during " + ATTEMPTS + " authorization attempts");
    }

    @Override
    public void settleInTransaction(Connection connection, long organizationId, Collection<String> reservationIds) {
        // Released after commit, together with the counters' new values (afterCommit).
    }

    @Override
    public void afterCommit(List<Counted> counters, List<Settled> settled) {
        if (counters.isEmpty() && settled.isEmpty()) {
            return;
        }
        try {
            observe(counters, settled);
        }
        catch (RuntimeException e) {
            // The holds lapse at their expiry and the mirrors are re-read within MIRROR_TTL_MS: late, never over-admitting.
            LOG.error("Raising budget mirrors and releasing {} holds in Redis failed", settled.size(), e);
        }
    }

    @Override
    public Map<BudgetStore.CounterKey, BigDecimal> reserved(Connection connection, Map<BudgetStore.CounterKey, Budget> periods, Instant now) {
        Map<BudgetStore.CounterKey, BigDecimal> reserved = new HashMap<>();
        if (periods.isEmpty()) {
            return reserved;
        }
        List<BudgetStore.CounterKey> keys = new ArrayList<>(periods.keySet());
        List<Object> totals = call("meterline_reserved", keys.stream().map(key -> base(key.budgetId(), key.periodStart()) + ":h").toList(), List.of(millis(now)));
        for (int i = 0; i < keys.size(); i++) {
            reserved.put(keys.get(i), unscaled((String) totals.get(i), periods.get(keys.get(i)).metric()));
        }
        return reserved;
    }

    /** A revoked key is refused by the next decision on every instance: the catalog's token changes once the revocation committed. */
    @TransactionalEventListener(TransactionalEventListener.TransactionPhase.AFTER_COMMIT)
    void onRevoked(ApiKeyRevoked revoked) {
        budgetsChanged(revoked.organizationId());
    }

    @Override
    public void budgetsChanged(long organizationId) {
        commands().set(prefix + "budgets:" + organizationId, UUID.randomUUID().toString());
        catalogs.remove(organizationId);
    }

    /** The token is read before the budgets: a change committed in between leaves an old token, answered STALE. */
    private Catalog loadCatalog(long organizationId) {
        String token = Objects.requireNonNullElse(commands().get(prefix + "budgets:" + organizationId), "");
        return transactions.executeRead(status -> {
            try {
                String zone = store.timeZone(status.getConnection(), organizationId);
                return new Catalog(token, ZoneId.of(zone == null ? "UTC" : zone), store.activeBudgets(status.getConnection(), organizationId),
                        store.activeApiKeyIds(status.getConnection(), organizationId));
            }
            catch (SQLException e) {
                throw new IllegalStateException("Reading the budgets of organization " + organizationId + " failed", e);
            }
        });
    }

    private void loadConsumed(List<BudgetStore.CounterKey> keys, List<Budget.Metric> metrics) {
        Map<BudgetStore.CounterKey, BigDecimal> stored = transactions.executeRead(status -> {
            try {
                return store.consumed(status.getConnection(), keys, false);
            }
            catch (SQLException e) {
                throw new IllegalStateException("Reading budget counters failed", e);
            }
        });
        List<Counted> counters = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            counters.add(new Counted(keys.get(i), metrics.get(i), stored.getOrDefault(keys.get(i), BudgetStatus.ZERO)));
        }
        observe(counters, List.of());
    }

    private void observe(List<Counted> counters, List<Settled> settled) {
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>(List.of(Integer.toString(counters.size()), Long.toString(MIRROR_TTL_MS)));
        for (Counted counter : counters) {
            keys.add(base(counter.key().budgetId(), counter.key().periodStart()) + ":c");
            args.add(scaled(counter.consumed(), counter.metric(), RoundingMode.CEILING));
            args.add(counter.consumed().toPlainString());
        }
        for (Settled one : settled) {
            keys.add(reservationKey(one.organizationId(), one.reservationId()));
            args.add(one.reservationId());
        }
        call("meterline_observe", keys, args);
    }

    /** Calls a function of the library, loading it again if Redis lost it (a restart without persistence). */
    private List<Object> call(String function, List<String> keys, List<String> args) {
        String[] keyArray = keys.toArray(String[]::new);
        String[] argArray = args.toArray(String[]::new);
        try {
            return commands().fcall(function, ScriptOutputType.MULTI, keyArray, argArray);
        }
        catch (RedisCommandExecutionException e) {
            if (e.getMessage() == null || !e.getMessage().contains("Function not found")) {
                throw e;
            }
            commands().functionLoad(library, true);
            return commands().fcall(function, ScriptOutputType.MULTI, keyArray, argArray);
        }
    }

    private RedisCommands<String, String> commands() {
        return connection.sync();
    }

    private String base(long budgetId, Instant periodStart) {
        return prefix + "budget:" + budgetId + ":" + periodStart.toEpochMilli();
    }

    /**
     * A reservation's hold list, under its organization: usage names a reservation by the id a client
     * sends, so only the recording organization's reservations can be reached, never another's.
     */
    private String reservationKey(long organizationId, String reservationId) {
        return prefix + "reservation:" + organizationId + ":" + reservationId;
    }

    private static String millis(Instant instant) {
        return Long.toString(instant.toEpochMilli());
    }

    static String scaled(BigDecimal amount, Budget.Metric metric, RoundingMode rounding) {
        return amount.setScale(metric.heldScale, rounding).unscaledValue().toString();
    }

    static BigDecimal unscaled(String scaled, Budget.Metric metric) {
        return new BigDecimal(new BigInteger(scaled), metric.heldScale).setScale(BudgetStatus.ZERO.scale());
    }

    private static String read(String path) {
        try (InputStream in = RedisReservationBook.class.getClassLoader().getResourceAsStream(path)) {
            return new String(Objects.requireNonNull(in, path + " is missing").readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @PreDestroy
    void close() {
        connection.close();
    }
}
