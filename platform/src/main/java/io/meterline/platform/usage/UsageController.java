package io.meterline.platform.usage;

import io.meterline.platform.account.ApiKey;
import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.common.JsonProblems;
import io.meterline.platform.security.BearerTokens;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.serde.annotation.Serdeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * {@code POST /v1/usage}: gateways report usage with an API key. The body is read as raw bytes and
 * parsed with exact decimals; any invalid event rejects the whole batch with 400 and stores nothing.
 */
@Controller("/v1/usage")
public class UsageController {

    private final UsageIngestService ingest;
    private final ApiKeyService apiKeys;

    public UsageController(UsageIngestService ingest, ApiKeyService apiKeys) {
        this.ingest = ingest;
        this.apiKeys = apiKeys;
    }

    /** The answer to an accepted batch. */
    @Serdeable
    public record Accepted(List<Result> results, int accepted, int duplicates) {
    }

    /**
     * One event's outcome; amounts are decimal strings, so no client reads them through a double. {@code cost} is as priced
     * (in {@code currency}), {@code billingCost} the same in the organization's billing currency (null while unconverted).
     */
    @Serdeable
    public record Result(int index, String eventId, EventResult.Outcome outcome, @Nullable String cost, @Nullable String currency, boolean priced,
                         @Nullable String billingCost, @Nullable String billingCurrency) {

        static Result of(EventResult result) {
            return new Result(result.index(), result.eventId(), result.outcome(), result.cost() == null ? null : result.cost().toPlainString(),
                    result.currency(), result.priced(), result.billingCost() == null ? null : result.billingCost().toPlainString(), result.billingCurrency());
        }
    }

    /** The answer to a rejected batch. */
    @Serdeable
    public record Rejected(List<UsageError> errors) {
    }

    @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> record(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization, @Nullable @Header(HttpHeaders.CONTENT_TYPE) MediaType contentType,
                                  @Nullable @Body byte[] body) {
        if (!JsonProblems.isJson(contentType)) {
            return HttpResponse.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                    .body(new Rejected(List.of(new UsageError(null, "Content-Type", UsageErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the batch as Content-Type: application/json"))));
        }
        Optional<ApiKey> key = apiKeys.authenticate(BearerTokens.credential(authorization));
        if (key.isEmpty()) {
            return HttpResponse.status(HttpStatus.UNAUTHORIZED)
                    .body(new Rejected(List.of(new UsageError(null, "Authorization", UsageErrorCode.UNAUTHENTICATED, "Send an active API key as: Authorization: Bearer <key>"))));
        }
        Object parsed;
        try {
            parsed = UsageJson.parse(body == null ? new byte[0] : body);
        }
        catch (IOException e) {
            return HttpResponse.badRequest(new Rejected(List.of(new UsageError(null, "body", UsageErrorCode.INVALID_JSON, "The body is not JSON: " + JsonProblems.describe(e)))));
        }
        try {
            List<EventResult> results = ingest.recordBody(key.get().organizationId(), key.get().id(), parsed);
            int accepted = (int) results.stream().filter(result -> result.outcome() == EventResult.Outcome.ACCEPTED).count();
            return HttpResponse.ok(new Accepted(results.stream().map(Result::of).toList(), accepted, results.size() - accepted));
        }
        catch (UsageBatchRejectedException e) {
            return HttpResponse.badRequest(new Rejected(e.errors()));
        }
    }

}
