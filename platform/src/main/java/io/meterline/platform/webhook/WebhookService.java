package io.meterline.platform.webhook;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.Secrets;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.json.JsonMapper;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Webhook endpoints, the outbox other features write events into, and the delivery log. */
@Singleton
public class WebhookService {

    /** The GraphQL type name of endpoints. */
    public static final String ENDPOINT_TYPE = "WebhookEndpoint";
    /** The GraphQL type name of deliveries. */
    public static final String DELIVERY_TYPE = "WebhookDelivery";
    static final String SECRET_START = "whsec_";
    private static final int SECRET_LENGTH = 40;

    private final WebhookEndpointRepository endpoints;
    private final WebhookDeliveryRepository deliveries;
    private final TenantScope tenantScope;
    private final JsonMapper json;
    private final Clock clock;
    private final WebhookAddressPolicy addressPolicy;
    private final HostResolver hostResolver;

    public WebhookService(WebhookEndpointRepository endpoints, WebhookDeliveryRepository deliveries, TenantScope tenantScope, JsonMapper json, Clock clock,
                          WebhookAddressPolicy addressPolicy, HostResolver hostResolver) {
        this.endpoints = endpoints;
        this.deliveries = deliveries;
        this.tenantScope = tenantScope;
        this.json = json;
        this.clock = clock;
        this.addressPolicy = addressPolicy;
        this.hostResolver = hostResolver;
    }

    /** What a new endpoint needs. */
    public record NewEndpoint(@Nullable String organizationId, String url, List<String> eventTypes, @Nullable String description) {
    }

    /** A new endpoint with its signing secret, which is never shown again. */
    public record CreatedEndpoint(WebhookEndpoint endpoint, String secret) {
    }

    @Transactional
    public CreatedEndpoint create(Viewer viewer, NewEndpoint input) {
        long organization = tenantScope.organizationToManage(viewer, input.organizationId());
        List<UserError> errors = new ArrayList<>();
        String url = input.url() == null ? "" : input.url().trim();
        if (url.isEmpty()) {
            errors.add(UserError.of("url", WebhookErrorCode.BLANK, "URL can't be blank"));
        }
        else if (url.length() > 2000) {
            errors.add(UserError.of("url", WebhookErrorCode.LENGTH, "URL is longer than 2000 characters"));
        }
        else {
            // Resolved here to refuse internal addresses early; the dispatcher checks again on every connection (DNS rebinding).
            addressPolicy.check(url, hostResolver).ifPresent(refusal -> errors.add(UserError.of("url", refusal, refusal.message())));
        }
        Set<String> types = new LinkedHashSet<>(input.eventTypes() == null ? List.of() : input.eventTypes());
        if (types.isEmpty()) {
            errors.add(UserError.of("eventTypes", WebhookErrorCode.BLANK, "Choose at least one event type"));
        }
        for (String type : types) {
            if (!WebhookEventTypes.isKnown(type)) {
                errors.add(UserError.of("eventTypes", WebhookErrorCode.INVALID, type + " is not an event type; known types: " + String.join(", ", WebhookEventTypes.KNOWN)));
            }
        }
        String description = input.description() == null || input.description().isBlank() ? null : input.description().trim();
        if (description != null && description.length() > 500) {
            errors.add(UserError.of("description", WebhookErrorCode.LENGTH, "Description is longer than 500 characters"));
        }
        UserInputException.throwIfAny(errors);
        String secret = SECRET_START + Secrets.random(SECRET_LENGTH);
        WebhookEndpoint endpoint = endpoints.save(new WebhookEndpoint(null, organization, url, String.join(",", types), description, secret, clock.instant(), null));
        return new CreatedEndpoint(endpoint, secret);
    }

    /** Deletes an endpoint: it receives nothing more and its pending deliveries are given up; its log stays. */
    @Transactional
    public WebhookEndpoint delete(Viewer viewer, String id) {
        WebhookEndpoint endpoint = findEndpoint(viewer, id);
        tenantScope.requireManager(viewer);
        return endpoints.update(endpoint.deleted(clock.instant()));
    }

    /** The organization's endpoints, oldest first. */
    @Transactional
    public List<WebhookEndpoint> list(Viewer viewer, @Nullable String organizationId) {
        return endpoints.findByOrganizationIdAndDeletedAtIsNullOrderById(tenantScope.organizationFor(viewer, organizationId));
    }

    /** An endpoint the viewer may see (deleted ones included, for their log), or NOT_FOUND. */
    @Transactional
    public WebhookEndpoint findEndpoint(Viewer viewer, String id) {
        WebhookEndpoint endpoint = endpoints.findById(GlobalId.require(id, ENDPOINT_TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
        tenantScope.check(viewer, Owner.organization(endpoint.organizationId()), id);
        return endpoint;
    }

    /** A page of an endpoint's deliveries, newest first. */
    @Transactional
    public List<WebhookDelivery> deliveryPage(long endpointId, long beforeId, int limit) {
        return deliveries.page(endpointId, beforeId, limit);
    }

    @Transactional
    public long deliveryCount(long endpointId) {
        return deliveries.countByEndpointId(endpointId);
    }

    /** Sends a logged delivery again, as a new delivery with the same payload, due at once. */
    @Transactional
    public WebhookDelivery replay(Viewer viewer, String id) {
        WebhookDelivery original = deliveries.findById(GlobalId.require(id, DELIVERY_TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
        tenantScope.check(viewer, Owner.organization(original.organizationId()), id);
        tenantScope.requireManager(viewer);
        WebhookEndpoint endpoint = endpoints.findById(original.endpointId()).orElseThrow();
        if (endpoint.deletedAt() != null) {
            throw new UserInputException(UserError.of("id", WebhookErrorCode.INVALID_STATE, "The endpoint of this delivery was deleted"));
        }
        return deliveries.save(WebhookDelivery.pending(original.organizationId(), original.endpointId(), original.eventType(), original.payload(), clock.instant()));
    }

    /**
     * Writes one delivery per endpoint of the organization that subscribed to the event type, in the
     * caller's transaction (joined, or a new one when there is none), so an event is stored exactly
     * when the change that caused it commits. The dispatcher sends them afterwards.
     *
     * @param payload the event's data, JSON-friendly values; sent as {@code data}
     * @return how many deliveries were written
     */
    @Transactional
    public int enqueue(long organizationId, String eventType, Map<String, Object> payload) {
        Objects.requireNonNull(payload, "payload is null");
        if (!WebhookEventTypes.isKnown(eventType)) {
            throw new IllegalArgumentException("Unknown webhook event type " + eventType + "; add it to WebhookEventTypes");
        }
        Instant now = clock.instant();
        int written = 0;
        for (WebhookEndpoint endpoint : endpoints.findByOrganizationIdAndDeletedAtIsNullOrderById(organizationId)) {
            if (endpoint.receives(eventType)) {
                deliveries.save(WebhookDelivery.pending(organizationId, endpoint.id(), eventType, body(endpoint, eventType, payload, now), now));
                written++;
            }
        }
        return written;
    }

    private String body(WebhookEndpoint endpoint, String eventType, Map<String, Object> payload, Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", eventType);
        body.put("createdAt", now.toString());
        body.put("organizationId", GlobalId.encode(TenantScope.ORGANIZATION_TYPE, endpoint.organizationId()));
        body.put("endpointId", GlobalId.encode(ENDPOINT_TYPE, endpoint.id()));
        body.put("data", payload);
        try {
            return json.writeValueAsString(body);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
