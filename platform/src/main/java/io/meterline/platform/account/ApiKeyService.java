package io.meterline.platform.account;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.Secrets;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Creates, lists, revokes and checks API keys. */
@Singleton
public class ApiKeyService {

    /** The GraphQL type name of API keys. */
    public static final String TYPE = "ApiKey";
    /** Every key starts with this, so a leaked one is recognisable (and scannable) as a Meterline key. */
    static final String KEY_START = "mlk_";
    static final int PREFIX_LENGTH = 16;
    private static final int SECRET_LENGTH = 44;
    private static final Duration TOUCH_INTERVAL = Duration.ofMinutes(1);

    private final ApiKeyRepository keys;
    private final TenantScope tenantScope;
    private final Clock clock;
    private final ApplicationEventPublisher<ApiKeyRevoked> revocations;
    /** When this instance last wrote each key's last use: the hot paths skip the UPDATE in between. */
    private final Map<Long, Instant> touched = new ConcurrentHashMap<>();
    /** Keys by prefix for {@link #authenticateCached}; only for callers that check revocation themselves. */
    private final Map<String, ApiKey> cached = new ConcurrentHashMap<>();

    public ApiKeyService(ApiKeyRepository keys, TenantScope tenantScope, Clock clock, ApplicationEventPublisher<ApiKeyRevoked> revocations) {
        this.keys = keys;
        this.tenantScope = tenantScope;
        this.clock = clock;
        this.revocations = revocations;
    }

    /** A new key with its secret, which is never shown again. */
    public record CreatedKey(ApiKey apiKey, String secret) {
    }

    @Transactional
    public CreatedKey create(Viewer viewer, @Nullable String organizationId, String label) {
        long organization = tenantScope.organizationToManage(viewer, organizationId);
        String trimmed = label == null ? "" : label.trim();
        if (trimmed.isEmpty()) {
            throw new UserInputException(UserError.of("label", AccountErrorCode.BLANK, "Label can't be blank"));
        }
        if (trimmed.length() > 100) {
            throw new UserInputException(UserError.of("label", AccountErrorCode.LENGTH, "Label is longer than 100 characters"));
        }
        return createFor(organization, trimmed);
    }

    /** Creates a key without a viewer: for the demo seeder and tests that need a key. */
    @Transactional
    public CreatedKey createFor(long organizationId, String label) {
        String secret = KEY_START + Secrets.random(SECRET_LENGTH);
        ApiKey key = keys.save(new ApiKey(null, organizationId, secret.substring(0, PREFIX_LENGTH), Secrets.sha256(secret), label,
                ApiKeyStatus.ACTIVE, clock.instant(), null, null));
        return new CreatedKey(key, secret);
    }

    @Transactional
    public ApiKey revoke(Viewer viewer, String id) {
        ApiKey key = find(viewer, id);
        tenantScope.requireManager(viewer);
        if (key.status() == ApiKeyStatus.REVOKED) {
            throw new UserInputException(UserError.of("id", AccountErrorCode.INVALID_STATE, "The key is already revoked"));
        }
        ApiKey revoked = keys.update(key.revoked(clock.instant()));
        revocations.publishEvent(new ApiKeyRevoked(revoked.organizationId(), revoked.id()));
        return revoked;
    }

    /** A key the viewer may see, or NOT_FOUND. */
    public ApiKey find(Viewer viewer, String id) {
        ApiKey key = keys.findById(GlobalId.require(id, TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
        tenantScope.check(viewer, Owner.organization(key.organizationId()), id);
        return key;
    }

    public List<ApiKey> page(long organizationId, long beforeId, @Nullable ApiKeyStatus status, int limit) {
        return keys.page(organizationId, beforeId, status == null ? null : status.name(), limit);
    }

    public long count(long organizationId, @Nullable ApiKeyStatus status) {
        return keys.count(organizationId, status == null ? null : status.name());
    }

    /**
     * The active key a bearer secret belongs to. Read from the database on every call, so a revoked
     * key is refused at once on every instance.
     */
    public Optional<ApiKey> authenticate(@Nullable String secret) {
        return prefixOf(secret).flatMap(keys::findByPrefix).filter(found -> matches(found, secret)).map(this::touch);
    }

    /**
     * Like {@link #authenticate}, but a key once read stays in this instance's memory, so a key
     * revoked on another instance still passes here: only for a caller that checks revocation itself
     * against fresher state, as authorization does against its organization catalog (see
     * {@code ReservationBook}); {@link #forget} drops a key it found revoked.
     */
    public Optional<ApiKey> authenticateCached(@Nullable String secret) {
        Optional<String> prefix = prefixOf(secret);
        if (prefix.isEmpty()) {
            return Optional.empty();
        }
        ApiKey key = cached.get(prefix.get());
        if (key == null) {
            Optional<ApiKey> stored = keys.findByPrefix(prefix.get());
            if (stored.isEmpty()) {
                return Optional.empty();
            }
            key = stored.get();
            cached.put(prefix.get(), key);
        }
        return Optional.of(key).filter(found -> matches(found, secret)).map(this::touch);
    }

    /** Drops a key from this instance's memory. */
    public void forget(ApiKey key) {
        cached.remove(key.prefix());
    }

    private static Optional<String> prefixOf(@Nullable String secret) {
        return secret == null || !secret.startsWith(KEY_START) || secret.length() < PREFIX_LENGTH ? Optional.empty()
                : Optional.of(secret.substring(0, PREFIX_LENGTH));
    }

    private static boolean matches(ApiKey key, String secret) {
        return key.status() == ApiKeyStatus.ACTIVE && Secrets.sameHash(key.secretHash(), Secrets.sha256(secret));
    }

    /** Records a use, at most once a minute per key and instance. */
    private ApiKey touch(ApiKey key) {
        Instant now = clock.instant();
        Instant last = touched.get(key.id());
        if (last == null || last.isBefore(now.minus(TOUCH_INTERVAL))) {
            touched.put(key.id(), now);
            keys.touch(key.id(), now, now.minus(TOUCH_INTERVAL));
        }
        return key;
    }
}
