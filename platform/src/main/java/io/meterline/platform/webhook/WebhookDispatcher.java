package io.meterline.platform.webhook;

import io.meterline.platform.common.GlobalId;
import jakarta.annotation.PreDestroy;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due webhook deliveries. Each run claims due rows (FOR UPDATE SKIP LOCKED, then a lease that
 * hides them from other instances), sends them outside any transaction, and records each outcome:
 * delivered on 2xx, else a retry after the configured backoff until the attempts run out. A crash
 * mid-send only delays a delivery until its lease ends; receivers dedupe on {@code Meterline-Delivery}.
 *
 * <p>Every attempt opens a new connection through {@link WebhookDnsResolver}, so the host is resolved and its
 * addresses checked again each time; redirects are not followed (a receiver could send them to an internal address);
 * the log keeps only a {@link WebhookFailure} class, never what the peer sent.
 */
@Singleton
public class WebhookDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int MAX_CONNECTIONS = 100;

    private final WebhookDeliveryRepository deliveries;
    private final WebhookEndpointRepository endpoints;
    private final WebhookConfiguration configuration;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;
    private final CloseableHttpClient http;

    public WebhookDispatcher(WebhookDeliveryRepository deliveries, WebhookEndpointRepository endpoints, WebhookConfiguration configuration,
                             TransactionOperations<Connection> transactions, Clock clock, WebhookDnsResolver dnsResolver) {
        this.deliveries = deliveries;
        this.endpoints = endpoints;
        this.configuration = configuration;
        this.transactions = transactions;
        this.clock = clock;
        Timeout timeout = Timeout.of(configuration.timeout());
        // No system properties: a JVM-wide proxy would connect on our behalf to addresses the resolver never checked.
        this.http = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(dnsResolver)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout).build())
                        .setMaxConnTotal(MAX_CONNECTIONS)
                        .setMaxConnPerRoute(MAX_CONNECTIONS)
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(timeout).setResponseTimeout(timeout).build())
                // A fresh connection per attempt, so every delivery resolves and checks the host again.
                .setConnectionReuseStrategy((request, response, context) -> false)
                .disableRedirectHandling()
                // One attempt is one request: retries are the dispatcher's, with backoff and a log line.
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent("Meterline-Webhooks/1")
                .build();
    }

    @PreDestroy
    void close() throws IOException {
        http.close();
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
        HttpPost request;
        try {
            request = new HttpPost(endpoint.url());
        }
        catch (IllegalArgumentException e) {
            // Saved before URLs were checked this strictly.
            return failed(delivery, null, WebhookFailure.CONNECTION_FAILED.label(), e.getClass().getSimpleName());
        }
        long unixSeconds = clock.instant().getEpochSecond();
        request.setHeader("Meterline-Event", delivery.eventType());
        request.setHeader("Meterline-Delivery", GlobalId.encode(WebhookService.DELIVERY_TYPE, delivery.id()));
        request.setHeader("Meterline-Signature", WebhookSigner.header(endpoint.signingSecret(), unixSeconds, delivery.payload()));
        request.setEntity(new StringEntity(delivery.payload(), ContentType.APPLICATION_JSON));
        // The timeouts above bound each step; this bounds the whole attempt, so a peer that answers one byte at a time
        // cannot hold a dispatcher thread. Cancelling a finished request does nothing.
        CompletableFuture.delayedExecutor(configuration.timeout().toMillis(), TimeUnit.MILLISECONDS).execute(request::cancel);
        // The response is closed unread: nothing the receiver writes after its status line is read or kept.
        try (ClassicHttpResponse response = http.executeOpen(null, request, null)) {
            statusCode = response.getCode();
            if (statusCode >= 200 && statusCode < 300) {
                return delivery.attempted(WebhookDeliveryStatus.DELIVERED, statusCode, null, null, clock.instant());
            }
            error = WebhookFailure.httpStatus(statusCode);
        }
        catch (IOException e) {
            WebhookFailure failure = request.isCancelled() ? WebhookFailure.TIMEOUT : WebhookFailure.of(e);
            return failed(delivery, null, failure.label(), e.getClass().getSimpleName());
        }
        return failed(delivery, statusCode, error, null);
    }

    /** Records a failed attempt; {@code cause} (an exception's class name, never its message) goes to the log only. */
    private WebhookDelivery failed(WebhookDelivery delivery, @Nullable Integer statusCode, String error, @Nullable String cause) {
        int attemptNumber = delivery.attemptCount() + 1;
        if (attemptNumber >= configuration.maxAttempts()) {
            LOG.info("Webhook delivery {} failed for good after {} attempts: {} ({})", delivery.id(), attemptNumber, error, cause);
            return delivery.attempted(WebhookDeliveryStatus.FAILED, statusCode, error, null, null);
        }
        LOG.debug("Webhook delivery {} attempt {} failed: {} ({})", delivery.id(), attemptNumber, error, cause);
        return delivery.attempted(WebhookDeliveryStatus.PENDING, statusCode, error, clock.instant().plus(configuration.backoffAfter(attemptNumber)), null);
    }
}
