package io.meterline.platform.budget;

import io.meterline.platform.common.ControlCharacters;
import io.meterline.platform.common.ErrorCode;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * "May this call go ahead?" Checks the request, lets the {@link CallerGate}s refuse a caller, then
 * has the {@link ReservationBook} decide against the current period of every matching budget and,
 * when every HARD budget has room, hold the estimate. The book makes check-and-hold one atomic step
 * for all instances: one Redis script when Redis is configured, the database's row locks otherwise.
 */
@Singleton
public class AuthorizationService {

    /** How long a hold lasts when the request does not say (capped by {@code meterline.budgets.max-hold}). */
    static final int DEFAULT_TTL_SECONDS = 300;

    private final ReservationBook book;
    private final BudgetMeasure measure;
    private final List<CallerGate> gates;
    private final int maxTtlSeconds;

    public AuthorizationService(ReservationBook book, BudgetMeasure measure, List<CallerGate> gates, BudgetConfiguration configuration) {
        this.book = book;
        this.measure = measure;
        this.gates = gates;
        this.maxTtlSeconds = configuration.maxHoldSeconds();
    }

    /**
     * The call's expected size; null fields count as 0, requests as 1.
     *
     * @param currency the currency of {@code cost}; null: each COST budget's own
     */
    public record Estimate(@Nullable BigDecimal tokens, @Nullable BigDecimal cost, @Nullable String currency, @Nullable BigDecimal requests,
                           @Nullable BigDecimal meterUnits) {
    }

    /** A call to authorize. */
    public record Request(BudgetMeasure.Caller caller, String provider, String model, Estimate estimate, @Nullable Integer ttlSeconds) {
    }

    public enum Decision { ALLOW, DENY }

    /**
     * One matching budget at the moment of the decision.
     *
     * @param budget the budget
     * @param requested what the call would add
     * @param consumed recorded usage in the period
     * @param reserved what other unexpired holds keep
     * @param remaining room left before this call (limit - consumed - reserved, not below 0), null if unlimited
     * @param resetsAt when the period ends, null if never
     */
    public record Hold(Budget budget, BigDecimal requested, BigDecimal consumed, BigDecimal reserved, @Nullable BigDecimal remaining,
                       @Nullable Instant resetsAt) {

        static Hold of(Budget budget, BigDecimal requested, BigDecimal consumed, BigDecimal reserved, @Nullable Instant resetsAt) {
            return new Hold(budget, requested, consumed, reserved, budget.remaining(consumed, reserved), resetsAt);
        }

        /** Whether this is a HARD budget without room for the call. */
        boolean overLimit() {
            return budget.hard() && budget.limitAmount() != null && consumed.add(reserved).add(requested).compareTo(budget.limitAmount()) > 0;
        }
    }

    /**
     * The answer.
     *
     * @param decision ALLOW or DENY
     * @param reason why a call was denied, in a sentence
     * @param deniedBy the HARD budget without room, null when allowed (or refused by a gate)
     * @param reservationId the hold's id on ALLOW when any budget matched; send it as the event's reservation_id
     * @param expiresAt when an unsettled hold lapses
     * @param holds every matching budget
     */
    public record Answer(Decision decision, @Nullable String reason, @Nullable Hold deniedBy, @Nullable String reservationId, @Nullable Instant expiresAt,
                         List<Hold> holds) {

        static Answer allow(List<Hold> holds, @Nullable String reservationId, @Nullable Instant expiresAt) {
            return new Answer(Decision.ALLOW, null, null, reservationId, expiresAt, holds);
        }

        static Answer deny(Hold denied, List<Hold> holds) {
            return new Answer(Decision.DENY, "Budget " + denied.budget().name() + " has " + denied.remaining().toPlainString() + " left of "
                    + denied.budget().limitAmount().toPlainString() + " and the call needs " + denied.requested().toPlainString(), denied, null, null, holds);
        }

        /** The binding budget: the denying one, else the HARD budget with least room relative to its limit. */
        @Nullable
        public Hold tightest() {
            if (deniedBy != null) {
                return deniedBy;
            }
            return holds.stream().filter(hold -> hold.budget().hard() && hold.remaining() != null)
                    .min(Comparator.comparing(hold -> hold.remaining().divide(hold.budget().limitAmount(), 9, RoundingMode.HALF_EVEN)))
                    .orElse(null);
        }
    }

    public Answer authorize(long organizationId, Request request) {
        List<UserError> errors = new ArrayList<>();
        Estimate estimate = request.estimate();
        check(estimate.tokens(), "tokens", errors);
        check(estimate.cost(), "cost", errors);
        check(estimate.requests(), "requests", errors);
        check(estimate.meterUnits(), "meterUnits", errors);
        if (estimate.currency() != null && !isCurrency(estimate.currency())) {
            errors.add(new UserError(List.of("input", "estimate", "currency"), estimate.currency() + " is not an ISO 4217 currency", BudgetErrorCode.INVALID));
        }
        int ttl = request.ttlSeconds() == null ? Math.min(DEFAULT_TTL_SECONDS, maxTtlSeconds) : request.ttlSeconds();
        if (ttl < 1 || ttl > maxTtlSeconds) {
            errors.add(UserError.of("ttlSeconds", BudgetErrorCode.OUT_OF_RANGE, "A reservation lives 1 to " + maxTtlSeconds + " seconds (meterline.budgets.max-hold)"));
        }
        BudgetMeasure.Caller caller = request.caller();
        checkText(caller.accountId(), "accountId", errors);
        checkText(caller.member(), "member", errors);
        checkText(caller.team(), "team", errors);
        checkText(caller.project(), "project", errors);
        checkText(caller.department(), "department", errors);
        if (request.provider() == null || !measure.providerExists(request.provider())) {
            errors.add(UserError.of("provider", BudgetErrorCode.NOT_FOUND, "No provider " + request.provider() + " is installed"));
        }
        UserInputException.throwIfAny(errors);
        for (CallerGate gate : gates) {
            Optional<String> refusal = gate.refusal(organizationId, request.caller());
            if (refusal.isPresent()) {
                return new Answer(Decision.DENY, refusal.get(), null, null, null, List.of());
            }
        }
        return book.decide(organizationId, request, ttl);
    }

    /** Refuses a call whose API key is not (or no longer) an active key of the organization. */
    static void requireActiveKey(Request request, Set<Long> activeKeys) {
        Long key = request.caller().apiKeyId();
        if (key != null && !activeKeys.contains(key)) {
            throw new MeterlineException(ErrorCode.UNAUTHENTICATED,
                    "The API key is revoked or not of this organization");
        }
    }

    static String newReservationId() {
        return "rsv_" + UUID.randomUUID().toString().replace("-", "");
    }

    private static boolean isCurrency(String code) {
        try {
            return Currency.getInstance(code).getCurrencyCode().equals(code);
        }
        catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A dimension with a control character matches no budget's scope key and no recorded event could carry it: refused, not silently unmatched. */
    private static void checkText(@Nullable String value, String field, List<UserError> errors) {
        if (value != null && ControlCharacters.presentIn(value)) {
            errors.add(UserError.of(field, BudgetErrorCode.INVALID, field + " holds a control character (such as NUL, a tab, a line break or DEL)"));
        }
    }

    private static void check(@Nullable BigDecimal value, String field, List<UserError> errors) {
        if (value != null && value.signum() < 0) {
            errors.add(new UserError(List.of("input", "estimate", field), "An estimate is not negative", BudgetErrorCode.OUT_OF_RANGE));
        }
    }
}
