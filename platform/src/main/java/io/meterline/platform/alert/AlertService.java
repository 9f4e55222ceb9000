package io.meterline.platform.alert;

import io.meterline.platform.notification.AlertMailer;
import io.meterline.platform.webhook.WebhookEventTypes;
import io.meterline.platform.webhook.WebhookService;
import java.util.LinkedHashMap;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.Money;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.math.BigDecimal;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** Stores requested alerts once, publishes new ones to the bus, and answers, acknowledges and streams them. */
@Singleton
public class AlertService {

    private static final Logger LOG = LoggerFactory.getLogger(AlertService.class);

    /** The alert kind of a subscription payment Stripe could not collect (raised by billing). */
    public static final String PAYMENT_FAILED = "PAYMENT_FAILED";

    private final AlertStore store;
    private final AlertBus bus;
    private final TenantScope tenantScope;
    private final JsonMapper json;
    private final Clock clock;
    private final Scheduler delivery;
    private final WebhookService webhooks;
    private final AlertMailer mailer;

    public AlertService(AlertStore store, AlertBus bus, TenantScope tenantScope, JsonMapper json, Clock clock,
                        @Named(TaskExecutors.BLOCKING) ExecutorService executor, WebhookService webhooks, AlertMailer mailer) {
        this.webhooks = webhooks;
        this.mailer = mailer;
        this.store = store;
        this.bus = bus;
        this.tenantScope = tenantScope;
        this.json = json;
        this.clock = clock;
        // Subscribers' selection sets run on the blocking pool, not on the thread that raised the alert.
        this.delivery = Schedulers.fromExecutorService(executor);
    }

    /**
     * Stores a requested alert unless its crossing is already stored, then publishes it. Runs on the
     * publisher's thread, after the publisher's change committed.
     *
     * @return the new alert, or empty for a duplicate
     */
    @EventListener
    public Optional<Alert> raise(AlertRequest request) {
        AlertLevel level;
        try {
            level = AlertLevel.valueOf(request.level());
        }
        catch (IllegalArgumentException e) {
            // A programming error in the raising feature; refusing it here keeps bad rows out of the store.
            throw new IllegalArgumentException("Unknown alert level " + request.level(), e);
        }
        // Webhook deliveries are written in the alert's own transaction (an outbox): stored once, sent at least once.
        Optional<Alert> stored = store.insertOnce(new AlertStore.NewAlert(request.organizationId(), request.kind(), level, request.dedupeKey(),
                request.subject(), request.message(), writeData(request.data()), clock.instant()),
                alert -> webhookType(alert.kind()).ifPresent(type -> webhooks.enqueue(alert.organizationId(), type, webhookPayload(alert))));
        stored.ifPresent(alert -> {
            LOG.debug("Alert {} #{} raised for organization {}", alert.dedupeKey(), alert.sequence(), alert.organizationId());
            bus.publish(alert);
            email(alert);
        });
        return stored;
    }

    /** An alert the viewer may see, or NOT_FOUND. */
    public Alert find(Viewer viewer, String id) {
        Alert alert = store.find(GlobalId.require(id, Alert.TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
        tenantScope.check(viewer, Owner.organization(alert.organizationId()), id);
        return alert;
    }

    /** Records that the viewer acknowledged an alert; every role that can see the alert may. */
    public Alert acknowledge(Viewer viewer, String id) {
        Alert alert = find(viewer, id);
        if (!alert.active() || !store.acknowledge(alert.id(), viewer.userId(), clock.instant())) {
            throw new UserInputException(UserError.of("id", AlertErrorCode.INVALID_STATE, "The alert is already acknowledged"));
        }
        return store.find(alert.id()).orElseThrow();
    }

    /** A page of one organization's alerts, or of every organization's when {@code organizationId} is null. */
    public List<Alert> page(@Nullable Long organizationId, AlertStore.Filter filter, long beforeId, int limit) {
        return store.page(organizationId, filter, beforeId, limit);
    }

    public long count(@Nullable Long organizationId, AlertStore.Filter filter) {
        return store.count(organizationId, filter);
    }

    /** Active alerts of the named (or the viewer's own) organization; of every organization for platform admins naming none. */
    public long activeCount(Viewer viewer, @Nullable String organizationId) {
        if (organizationId == null && viewer.isPlatformAdmin()) {
            return store.activeCount(null);
        }
        return store.activeCount(tenantScope.organizationFor(viewer, organizationId));
    }

    /**
     * Alerts as they are raised: of the named (or the viewer's own) organization, or of every
     * organization for platform admins naming none. With {@code afterSequence}, the stored alerts
     * after it come first; live alerts are listened to before the store is read and those already
     * replayed are skipped, so nothing is lost or doubled at the seam.
     */
    public Publisher<Alert> subscribe(Viewer viewer, @Nullable String organizationId, @Nullable Long afterSequence) {
        Long organization = organizationId == null && viewer.isPlatformAdmin() ? null : tenantScope.organizationFor(viewer, organizationId);
        Flux<Alert> live = Flux.from(bus.subscribe()).filter(alert -> organization == null || alert.organizationId() == organization);
        if (afterSequence == null) {
            return live.publishOn(delivery);
        }
        if (organization == null) {
            throw MeterlineException.badInput("afterSequence needs an organizationId: sequences are numbered per organization");
        }
        Sinks.Many<Alert> pending = Sinks.many().unicast().onBackpressureBuffer();
        Disposable listening = live.subscribe(pending::tryEmitNext);
        List<Alert> missed = store.afterSequence(organization, afterSequence);
        long lastReplayed = missed.isEmpty() ? afterSequence : missed.get(missed.size() - 1).sequence();
        return Flux.fromIterable(missed)
                .concatWith(pending.asFlux().filter(alert -> alert.sequence() > lastReplayed))
                .doFinally(signal -> listening.dispose())
                .publishOn(delivery);
    }

    /**
     * The webhook event type of an alert kind; empty for kinds whose feature writes its own webhook
     * event in the transaction of the change (billing's payment failure), which must not go twice.
     */
    static Optional<String> webhookType(String kind) {
        return switch (kind) {
            case "BALANCE_LOW" -> Optional.of(WebhookEventTypes.BALANCE_LOW);
            case PAYMENT_FAILED -> Optional.empty();
            default -> Optional.of(WebhookEventTypes.BUDGET_THRESHOLD);
        };
    }

    private Map<String, Object> webhookPayload(Alert alert) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("alertId", GlobalId.encode(Alert.TYPE, alert.id()));
        payload.put("organizationId", GlobalId.encode(TenantScope.ORGANIZATION_TYPE, alert.organizationId()));
        payload.put("sequence", alert.sequence());
        payload.put("kind", alert.kind());
        payload.put("level", alert.level().name());
        payload.put("subject", alert.subject());
        payload.put("message", alert.message());
        payload.put("raisedAt", alert.raisedAt().toString());
        payload.put("data", data(alert));
        return payload;
    }

    /** Best effort after commit: a mail server that is down must not undo the alert, which stays in the store and the webhook outbox. */
    private void email(Alert alert) {
        try {
            mailer.send(alert.organizationId(), "[Meterline] " + alert.level() + ": " + alert.subject(), alert.message() + "\n\n" + alert.data());
        }
        catch (RuntimeException e) {
            LOG.warn("Could not email alert {} of organization {}", alert.dedupeKey(), alert.organizationId(), e);
        }
    }

    /** The alert's figures, as a JSON object. */
    /**
     * What a COST budget's crossing is about, as money: the consumption in the budget's currency
     * (its data's {@code consumed} and {@code currency}); null for every other alert.
     */
    @Nullable
    public Money cost(Alert alert) {
        Map<String, Object> data = data(alert);
        return data.get("consumed") instanceof String consumed && data.get("currency") instanceof String currency
                ? new Money(new BigDecimal(consumed), currency) : null;
    }

    public Map<String, Object> data(Alert alert) {
        try {
            return json.readValue(alert.data(), Argument.mapOf(String.class, Object.class));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String writeData(Map<String, Object> data) {
        try {
            return json.writeValueAsString(data);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
