package io.meterline.platform.webhook;

import io.meterline.platform.common.GlobalId;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due webhook deliveries. Each run claims due rows (FOR UPDATE SKIP LOCKED, then a lease that
 * hides them from other instances), sends them outside any transaction, and records each outcome:
 * delivered on 2xx, else a retry after the configured backoff until the attempts run out. A crash
 * mid-send only delays a delivery until its lease ends; receivers dedupe on {@code Meterline-Delivery}.
 */
@Singleton
public class WebhookDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int MAX_ERROR_LENGTH = 1000;

    private final WebhookDeliveryRepository deliveries;
    private final WebhookEndpointRepository endpoints;
    private final WebhookConfiguration configuration;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;
    private final HttpClient http;

    public WebhookDispatcher(WebhookDeliveryRepository deliveries, WebhookEndpointRepository endpoints, WebhookConfiguration configuration,
                             TransactionOperations<Connection> transactions, Clock clock) {
        this.deliveries = deliveries;
        this.endpoints = endpoints;
        this.configuration = configuration;
        this.transactions = transactions;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(configuration.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Scheduled(fixedDelay = "${meterline.webhooks.dispatch-interval:5s}", initialDelay = "${meterline.webhooks.dispatch-interval:5s}")
    void scheduled() {
        try {
            dispatchDue();
        }
        catch (RuntimeException e) {
            LOG.warn("Webhook dispatch failed; retrying on the next run", e);
        }
    }

    /**
     * Claims and sends every due delivery, batch after batch, until none is due.
     *
     * @return how many attempts were made
     */
    public int dispatchDue() {
        int attempts = 0;
        while (true) {
            List<WebhookDelivery> claimed = claim();
            if (claimed.isEmpty()) {
                return attempts;
            }
            Map<Long, WebhookEndpoint> byId = endpoints.findByIdIn(claimed.stream().map(WebhookDelivery::endpointId).collect(Collectors.toSet()))
                    .stream().collect(Collectors.toMap(WebhookEndpoint::id, Function.identity()));
            for (WebhookDelivery delivery : claimed) {
                WebhookEndpoint endpoint = byId.get(delivery.endpointId());
                if (endpoint == null || endpoint.deletedAt() != null) {
                    deliveries.update(delivery.abandoned("The endpoint was deleted"));
                    continue;
                }
                deliveries.update(attempt(delivery, endpoint));
                attempts++;
            }
        }
    }

    /** Claims up to a batch of due deliveries in one short transaction. */
    private List<WebhookDelivery> claim() {
        return transactions.executeWrite(status -> {
            Instant now = clock.instant();
            List<Long> ids = deliveries.lockDue(now, configuration.batchSize());
            if (ids.isEmpty()) {
                return List.<WebhookDelivery>of();
            }
            deliveries.lease(ids, now.plus(configuration.lease()));
            return deliveries.findByIdIn(ids);
        });
    }

    private WebhookDelivery attempt(WebhookDelivery delivery, WebhookEndpoint endpoint) {
        Integer statusCode = null;
        String error;
        try {
            long unixSeconds = clock.instant().getEpochSecond();
            HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.url()))
                    .timeout(configuration.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Meterline-Webhooks/1")
                    .header("Meterline-Event", delivery.eventType())
                    .header("Meterline-Delivery", GlobalId.encode(WebhookService.DELIVERY_TYPE, delivery.id()))
                    .header("Meterline-Signature", WebhookSigner.header(endpoint.signingSecret(), unixSeconds, delivery.payload()))
                    .POST(HttpRequest.BodyPublishers.ofString(delivery.payload(), StandardCharsets.UTF_8))
                    .build();
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            statusCode = response.statusCode();
            if (statusCode >= 200 && statusCode < 300) {
                return delivery.attempted(WebhookDeliveryStatus.DELIVERED, statusCode, null, null, clock.instant());
            }
            error = "HTTP " + statusCode;
        }
        catch (IOException | IllegalArgumentException e) {
            error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "Interrupted";
        }
        if (error.length() > MAX_ERROR_LENGTH) {
            error = error.substring(0, MAX_ERROR_LENGTH);
        }
        int attemptNumber = delivery.attemptCount() + 1;
        if (attemptNumber >= configuration.maxAttempts()) {
            LOG.info("Webhook delivery {} failed for good after {} attempts: {}", delivery.id(), attemptNumber, error);
            return delivery.attempted(WebhookDeliveryStatus.FAILED, statusCode, error, null, null);
        }
        return delivery.attempted(WebhookDeliveryStatus.PENDING, statusCode, error, clock.instant().plus(configuration.backoffAfter(attemptNumber)), null);
    }
}
