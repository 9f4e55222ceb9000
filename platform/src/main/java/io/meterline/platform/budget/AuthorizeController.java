package io.meterline.platform.budget;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.meterline.platform.account.ApiKey;
import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.common.ControlCharacters;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.JsonProblems;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserErrorCode;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.BearerTokens;
import io.meterline.platform.usage.UsageErrorCode;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.json.JsonMapper;
import io.micronaut.serde.annotation.Serdeable;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /v1/authorize}: a gateway asks whether a call may go ahead, authenticated with an API
 * key exactly as {@code POST /v1/usage}; API_KEY budgets are the calling key's. Decimals are read
 * from strings or JSON numbers; the answer's decimals are strings. A cost estimate may name its
 * {@code currency}; COST budgets in another one convert it at today's rate.
 */
@Controller("/v1/authorize")
public class AuthorizeController {

    private static final Set<String> FIELDS = Set.of("provider", "model", "dimensions", "estimate", "ttl_seconds");
    private static final Set<String> DIMENSIONS = Set.of("account_id", "member", "team", "project", "department");
    private static final Set<String> ESTIMATE = Set.of("tokens", "cost", "currency", "requests", "meter_units");

    private final AuthorizationService authorization;
    private final ApiKeyService apiKeys;
    private final JsonMapper json;

    public AuthorizeController(AuthorizationService authorization, ApiKeyService apiKeys, JsonMapper json) {
        this.authorization = authorization;
        this.apiKeys = apiKeys;
        this.json = json;
    }

    @Post(consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> authorize(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorizationHeader,
                                     @Nullable @Header(HttpHeaders.CONTENT_TYPE) MediaType contentType, @Nullable @Body byte[] body) {
        if (!JsonProblems.isJson(contentType)) {
            return HttpResponse.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE)
                    .body(errors(List.of(error("Content-Type", UsageErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the request as Content-Type: application/json"))));
        }
        // From this instance's memory: the decision itself refuses a key revoked since (ReservationBook).
        Optional<ApiKey> key = apiKeys.authenticateCached(BearerTokens.credential(authorizationHeader));
        if (key.isEmpty()) {
            return HttpResponse.status(HttpStatus.UNAUTHORIZED).body(errors(List.of(error("Authorization", UsageErrorCode.UNAUTHENTICATED,
                    "Send an active API key as: Authorization: Bearer <key>"))));
        }
        Map<String, Object> request;
        try {
            request = json.readValue(body == null ? new byte[0] : body, Argument.mapOf(String.class, Object.class));
        }
        catch (IOException | RuntimeException e) {
            return HttpResponse.badRequest(errors(List.of(error("body", UsageErrorCode.INVALID_JSON, "The body is not a JSON object"))));
        }
        if (request == null) {
            return HttpResponse.badRequest(errors(List.of(error("body", UsageErrorCode.INVALID_JSON, "The body is not a JSON object"))));
        }
        List<Map<String, Object>> problems = new ArrayList<>();
        for (String field : request.keySet()) {
            if (!FIELDS.contains(field)) {
                problems.add(error(field, UsageErrorCode.UNKNOWN_FIELD, field + " is not a field of an authorization request"));
            }
        }
        Map<String, Object> dimensions = object(request.get("dimensions"), "dimensions", DIMENSIONS, problems);
        Map<String, Object> estimate = object(request.get("estimate"), "estimate", ESTIMATE, problems);
        String provider = text(request.get("provider"), "provider", true, problems);
        String model = text(request.get("model"), "model", true, problems);
        BigDecimal tokens = decimal(estimate.get("tokens"), "estimate.tokens", problems);
        BigDecimal cost = decimal(estimate.get("cost"), "estimate.cost", problems);
        String currency = text(estimate.get("currency"), "estimate.currency", false, problems);
        BigDecimal requests = decimal(estimate.get("requests"), "estimate.requests", problems);
        BigDecimal meterUnits = decimal(estimate.get("meter_units"), "estimate.meter_units", problems);
        BigDecimal ttl = decimal(request.get("ttl_seconds"), "ttl_seconds", problems);
        if (ttl != null && (ttl.stripTrailingZeros().scale() > 0 || ttl.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0)) {
            problems.add(error("ttl_seconds", UsageErrorCode.OUT_OF_RANGE, "ttl_seconds is a whole number of seconds"));
        }
        if (!problems.isEmpty()) {
            return HttpResponse.badRequest(errors(problems));
        }
        BudgetMeasure.Caller caller = new BudgetMeasure.Caller(key.get().id(), (String) dimensions.get("account_id"), (String) dimensions.get("member"),
                (String) dimensions.get("team"), (String) dimensions.get("project"), (String) dimensions.get("department"));
        try {
            AuthorizationService.Answer answer = authorization.authorize(key.get().organizationId(), new AuthorizationService.Request(caller, provider, model,
                    new AuthorizationService.Estimate(tokens, cost, currency, requests, meterUnits), ttl == null ? null : ttl.intValue()));
            return HttpResponse.ok(Wire.of(answer));
        }
        catch (MeterlineException e) {
            if (e.code() != ErrorCode.UNAUTHENTICATED) {
                throw e;
            }
            apiKeys.forget(key.get());
            return HttpResponse.status(HttpStatus.UNAUTHORIZED).body(errors(List.of(error("Authorization", UsageErrorCode.UNAUTHENTICATED, e.getMessage()))));
        }
        catch (UserInputException e) {
            List<Map<String, Object>> refused = new ArrayList<>();
            for (UserError userError : e.errors()) {
                List<String> path = userError.field().size() > 1 ? userError.field().subList(1, userError.field().size()) : userError.field();
                refused.add(error(wireName(String.join(".", path)), userError.code(), userError.message()));
            }
            return HttpResponse.badRequest(errors(refused));
        }
    }

    /**
     * The answer in the wire format: snake_case keys, decimals as strings, absent values as null. Typed, so it is
     * written by generated serializers rather than a map's per-value lookups (the hottest frame of a decision).
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Wire(String decision, @JsonProperty("reservation_id") @Nullable String reservationId, @JsonProperty("expires_at") @Nullable String expiresAt,
                @Nullable String reason, @Nullable String remaining, @JsonProperty("resets_at") @Nullable String resetsAt,
                @JsonProperty("denied_by") @Nullable WireBudget deniedBy, List<WireBudget> budgets) {

        static Wire of(AuthorizationService.Answer answer) {
            AuthorizationService.Hold tightest = answer.tightest();
            return new Wire(answer.decision().name(), answer.reservationId(), text(answer.expiresAt()), answer.reason(),
                    tightest == null ? null : text(tightest.remaining()), tightest == null ? null : text(tightest.resetsAt()),
                    answer.deniedBy() == null ? null : WireBudget.of(answer.deniedBy()), answer.holds().stream().map(WireBudget::of).toList());
        }
    }

    /** One matching budget of {@link Wire}. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record WireBudget(@JsonProperty("budget_id") String budgetId, String name, String metric, String scope, @JsonProperty("scope_key") @Nullable String scopeKey,
                      String period, String enforcement, @Nullable String limit, String consumed, String reserved, String requested, @Nullable String remaining,
                      @JsonProperty("resets_at") @Nullable String resetsAt) {

        static WireBudget of(AuthorizationService.Hold hold) {
            Budget budget = hold.budget();
            return new WireBudget(GlobalId.encode(Budget.TYPE, budget.id()), budget.name(), budget.metric().name(), budget.scopeKind().name(),
                    BudgetGraphQL.scopeKeyOf(budget), budget.periodKind().name(), budget.enforcement().name(), text(budget.limitAmount()),
                    hold.consumed().toPlainString(), hold.reserved().toPlainString(), hold.requested().toPlainString(), text(hold.remaining()),
                    text(hold.resetsAt()));
        }
    }

    @Nullable
    private static String text(@Nullable Object value) {
        return value == null ? null : value instanceof BigDecimal decimal ? decimal.toPlainString() : value.toString();
    }

    private static String wireName(String field) {
        return field.replace("meterUnits", "meter_units").replace("ttlSeconds", "ttl_seconds");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(@Nullable Object value, String field, Set<String> allowed, List<Map<String, Object>> problems) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            problems.add(error(field, UsageErrorCode.INVALID_BODY, field + " is an object"));
            return Map.of();
        }
        for (Object name : map.keySet()) {
            if (!allowed.contains(String.valueOf(name))) {
                problems.add(error(field + "." + name, UsageErrorCode.UNKNOWN_FIELD, field + " takes " + String.join(", ", allowed.stream().sorted().toList())));
            }
        }
        if ("dimensions".equals(field)) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (entry.getValue() != null && !(entry.getValue() instanceof String)) {
                    problems.add(error(field + "." + entry.getKey(), UsageErrorCode.INVALID_BODY, "Dimension values are strings"));
                }
                else if (entry.getValue() instanceof String dimension && ControlCharacters.presentIn(dimension)) {
                    // The same code as POST /v1/usage gives the event that would carry this dimension.
                    problems.add(error(field + "." + entry.getKey(), UsageErrorCode.INVALID_CHARACTERS,
                            "Dimension values hold no control characters (such as NUL, a tab, a line break or DEL)"));
                }
            }
        }
        return (Map<String, Object>) map;
    }

    @Nullable
    private static String text(@Nullable Object value, String field, boolean required, List<Map<String, Object>> problems) {
        if (value == null || (value instanceof String text && text.isBlank())) {
            if (required) {
                problems.add(error(field, UsageErrorCode.MISSING, field + " is required"));
            }
            return null;
        }
        if (!(value instanceof String text)) {
            problems.add(error(field, UsageErrorCode.INVALID_BODY, field + " is a string"));
            return null;
        }
        return text;
    }

    @Nullable
    private static BigDecimal decimal(@Nullable Object value, String field, List<Map<String, Object>> problems) {
        if (value == null) {
            return null;
        }
        try {
            BigDecimal number = new BigDecimal(value.toString());
            if (number.signum() < 0) {
                problems.add(error(field, UsageErrorCode.NEGATIVE_QUANTITY, field + " is not negative"));
            }
            return number;
        }
        catch (NumberFormatException e) {
            problems.add(error(field, UsageErrorCode.NOT_A_NUMBER, field + " is a number or a decimal string"));
            return null;
        }
    }

    /** A problem with the request's shape, coded like the ingestion's. */
    private static Map<String, Object> error(String field, UsageErrorCode code, String message) {
        return error(field, code.name(), message);
    }

    /** A refusal of the budget domain, passed on under its own code. */
    private static Map<String, Object> error(String field, UserErrorCode code, String message) {
        return error(field, code.name(), message);
    }

    private static Map<String, Object> error(String field, String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("field", field);
        error.put("code", code);
        error.put("message", message);
        return error;
    }

    private static Map<String, Object> errors(List<Map<String, Object>> errors) {
        return Map.of("errors", errors);
    }

}
