package io.meterline.platform.ledger;

import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.Money;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.common.jdbc.JdbcWork;
import io.meterline.platform.fx.CrossRate;
import io.meterline.platform.fx.FxConverter;
import io.meterline.platform.pricing.PriceBook;
import io.meterline.platform.pricing.RateRecord;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Plans, admin ledger entries, balance settings and the balance view. */
@Singleton
public class LedgerService {

    private static final int MAX_REASON = 500;
    private static final int MAX_DESCRIPTION = 200;
    private static final int MAX_PLAN_NAME = 100;
    private static final Pattern STRIPE_PRICE_ID = Pattern.compile("price_[A-Za-z0-9_]{1,249}");
    private static final Set<LedgerEntryKind> ADMIN_KINDS = EnumSet.of(LedgerEntryKind.PURCHASE, LedgerEntryKind.REFUND, LedgerEntryKind.GRANT, LedgerEntryKind.ADJUSTMENT);

    private final LedgerStore store;
    private final PlanRepository plans;
    private final OrganizationRepository organizations;
    private final TenantScope tenantScope;
    private final TransactionOperations<Connection> transactions;
    private final PriceBook priceBook;
    private final FxConverter fx;
    private final Clock clock;
    private final List<String> referenceRates;

    public LedgerService(LedgerStore store, PlanRepository plans, OrganizationRepository organizations, TenantScope tenantScope,
                         TransactionOperations<Connection> transactions, PriceBook priceBook, FxConverter fx, Clock clock,
                         LedgerConfiguration configuration) {
        this.store = store;
        this.plans = plans;
        this.organizations = organizations;
        this.tenantScope = tenantScope;
        this.transactions = transactions;
        this.priceBook = priceBook;
        this.fx = fx;
        this.clock = clock;
        this.referenceRates = configuration.referenceRates();
    }

    /** A plan's fields; null ones stay unchanged on update (all are required on create). */
    public record PlanInput(@Nullable String name, @Nullable BigDecimal monthlyPrice, @Nullable String currency, @Nullable Long monthlyTokens,
                            @Nullable Integer resetDay, @Nullable Boolean active, @Nullable String stripePriceId, @Nullable Boolean visible) {
    }

    /** What an admin entry needs. */
    public record AdminEntry(String organizationId, LedgerEntryKind kind, LedgerAccount account, @Nullable BigDecimal amount, @Nullable String reason,
                             @Nullable String description) {
    }

    /**
     * A reference meter and what the balance still buys of it.
     *
     * @param unitPrice the price of {@code per} units in the billing currency, converted at today's rate; null without a price or a rate
     * @param originalUnitPrice the price in the rate's own currency; null without a price
     */
    public record UsageEstimate(String provider, String model, String meter, @Nullable Money unitPrice, @Nullable Money originalUnitPrice, @Nullable Long per,
                                @Nullable Long remaining) {
    }

    /** The balance page. */
    public record BalanceView(Organization organization, Money current, String state, Money lowBalanceThreshold, Money totalPurchased, Money totalSpent,
                              Money creditsUsed, Plan plan, long planTokensRemaining, LocalDate planTokensResetDate, long topUpTokensAvailable,
                              Money creditsRemaining, @Nullable LocalDate creditsResetDate, List<Money> otherCurrencyCharges,
                              @Nullable Instant lastUpdatedAt, List<UsageEstimate> estimatedUsageRemaining) {
    }

    public List<Plan> plans(boolean includeInactive) {
        return includeInactive ? plans.findAllOrderById() : plans.findByActiveOrderById(true);
    }

    public Plan createPlan(Viewer viewer, PlanInput input) {
        tenantScope.requirePlatformAdmin(viewer);
        List<UserError> errors = new ArrayList<>();
        String name = validatePlan(input, null, errors);
        UserInputException.throwIfAny(errors);
        return plans.save(new Plan(null, name, Money.round(input.monthlyPrice()), input.currency(), input.monthlyTokens(), input.resetDay(),
                input.active() == null || input.active(), false, clock.instant(), stripePriceId(input.stripePriceId()), input.visible() == null || input.visible()));
    }

    public Plan updatePlan(Viewer viewer, String id, PlanInput input) {
        tenantScope.requirePlatformAdmin(viewer);
        Plan plan = plans.findById(GlobalId.require(id, Plan.TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
        List<UserError> errors = new ArrayList<>();
        PlanInput merged = new PlanInput(input.name() == null ? plan.name() : input.name(),
                input.monthlyPrice() == null ? plan.monthlyPrice() : input.monthlyPrice(), input.currency() == null ? plan.currency() : input.currency(),
                input.monthlyTokens() == null ? plan.monthlyTokens() : input.monthlyTokens(), input.resetDay() == null ? plan.resetDay() : input.resetDay(),
                input.active() == null ? plan.active() : input.active(), input.stripePriceId() == null ? plan.stripePriceId() : input.stripePriceId(),
                input.visible() == null ? plan.visible() : input.visible());
        String name = validatePlan(merged, plan, errors);
        if (plan.freeBaseline() && !merged.active()) {
            errors.add(UserError.of("active", LedgerErrorCode.INVALID_STATE, "The free baseline plan stays active"));
        }
        UserInputException.throwIfAny(errors);
        return plans.update(new Plan(plan.id(), name, Money.round(merged.monthlyPrice()), merged.currency(), merged.monthlyTokens(), merged.resetDay(),
                merged.active(), plan.freeBaseline(), plan.createdAt(), stripePriceId(merged.stripePriceId()), merged.visible()));
    }

    /** A blank Stripe price id means none: the plan is not sold through Stripe Checkout. */
    @Nullable
    private static String stripePriceId(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** A plan by row id. */
    public Optional<Plan> plan(long id) {
        return plans.findById(id);
    }

    /** The plan a Stripe price sells. */
    public Optional<Plan> planByStripePrice(String stripePriceId) {
        return plans.findByStripePriceId(stripePriceId);
    }

    /** The free baseline plan every organization without another plan is on. */
    public Plan freeBaseline() {
        return plans.findAllOrderById().stream().filter(Plan::freeBaseline).findFirst()
                .orElseThrow(() -> new IllegalStateException("no free baseline plan (V3__ledger.sql inserts one)"));
    }

    private String validatePlan(PlanInput input, @Nullable Plan existing, List<UserError> errors) {
        String name = input.name() == null ? "" : input.name().trim();
        if (name.isEmpty()) {
            errors.add(UserError.of("name", LedgerErrorCode.BLANK, "Name can't be blank"));
        }
        else if (name.length() > MAX_PLAN_NAME) {
            errors.add(UserError.of("name", LedgerErrorCode.LENGTH, "Name is longer than " + MAX_PLAN_NAME + " characters"));
        }
        else if ((existing == null || !existing.name().equals(name)) && plans.existsByName(name)) {
            errors.add(UserError.of("name", LedgerErrorCode.TAKEN, "A plan named " + name + " already exists"));
        }
        if (input.monthlyPrice() == null || input.monthlyPrice().signum() < 0) {
            errors.add(UserError.of("monthlyPrice", LedgerErrorCode.OUT_OF_RANGE, "The monthly price must be zero or more"));
        }
        else if (input.monthlyPrice().stripTrailingZeros().scale() > Money.AMOUNT_SCALE || input.monthlyPrice().compareTo(new BigDecimal("1e15")) >= 0) {
            errors.add(UserError.of("monthlyPrice", LedgerErrorCode.INVALID, "The monthly price has more than 9 decimals or is too large"));
        }
        if (input.currency() == null) {
            errors.add(UserError.of("currencyCode", LedgerErrorCode.BLANK, "The currency is required"));
        }
        if (input.monthlyTokens() == null || input.monthlyTokens() < 0) {
            errors.add(UserError.of("monthlyTokens", LedgerErrorCode.OUT_OF_RANGE, "The monthly token allowance must be zero or more"));
        }
        if (input.resetDay() == null || input.resetDay() < 1 || input.resetDay() > 28) {
            errors.add(UserError.of("resetDay", LedgerErrorCode.OUT_OF_RANGE, "The reset day must be between 1 and 28"));
        }
        if (input.stripePriceId() != null && !input.stripePriceId().isBlank() && !STRIPE_PRICE_ID.matcher(input.stripePriceId().trim()).matches()) {
            errors.add(UserError.of("stripePriceId", LedgerErrorCode.INVALID, "A Stripe price id looks like price_... (letters, digits and underscores, at most 255 characters)"));
        }
        else if (input.stripePriceId() != null && !input.stripePriceId().isBlank()
                && plans.findByStripePriceId(input.stripePriceId().trim()).filter(other -> existing == null || !other.id().equals(existing.id())).isPresent()) {
            errors.add(UserError.of("stripePriceId", LedgerErrorCode.TAKEN, "Another plan already sells this Stripe price"));
        }
        return name;
    }

    /** Puts an organization on a plan now: the old allowance's remainder expires and the new one is granted. */
    public BalanceView setPlan(Viewer viewer, String organizationId, String planId) {
        tenantScope.requirePlatformAdmin(viewer);
        Organization organization = organization(viewer, organizationId);
        Optional<Plan> plan = GlobalId.decode(planId).filter(id -> id.type().equals(Plan.TYPE)).flatMap(id -> plans.findById(id.id()));
        if (plan.isEmpty()) {
            throw new UserInputException(UserError.of("planId", LedgerErrorCode.NOT_FOUND, "No plan has this id"));
        }
        if (!plan.get().active()) {
            throw new UserInputException(UserError.of("planId", LedgerErrorCode.INVALID_STATE, "Plan " + plan.get().name() + " is not active"));
        }
        switchPlan(organization, plan.get(), false);
        return balance(viewer, organizationId);
    }

    /**
     * Puts an organization on a plan now, for billing (a Stripe subscription started, changed or
     * ended): the caller has decided the organization and the plan; nothing is checked here.
     *
     * @param renewedByInvoice whether paid invoices renew its tokens ({@link #renewPlanAllowance}, a subscription holds
     *                         the plan) rather than the plan's reset day; its first period starts today
     */
    public void switchPlan(long organizationId, Plan chosen, boolean renewedByInvoice) {
        switchPlan(organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound("Organization")), chosen, renewedByInvoice);
    }

    private void switchPlan(Organization organization, Plan chosen, boolean renewedByInvoice) {
        write(connection -> {
            Instant now = clock.instant();
            LedgerStore.Locked locked = store.lock(connection, info(organization), now);
            LedgerStore.State state = locked.state();
            LocalDate periodStart = renewedByInvoice ? LocalDate.ofInstant(now, organization.zone()) : chosen.periodStart(now, organization.zone());
            if (locked.plan().id().equals(chosen.id())) {
                if (state.renewedByInvoice() != renewedByInvoice) {
                    // The same plan, renewed by another clock from now on (an admin's plan now sold by a subscription, or back).
                    store.post(connection, info(organization), state.withPlan(state.planId(), periodStart, renewedByInvoice), List.of(), now);
                }
                return null;
            }
            List<LedgerEntry> entries = new ArrayList<>();
            if (state.planTokens() != 0) {
                entries.add(LedgerEntry.automatic(organization.id(), LedgerEntryKind.PLAN_EXPIRY, LedgerAccount.PLAN_TOKENS, BigDecimal.valueOf(-state.planTokens()),
                        state.planTokens(), "Plan " + locked.plan().name() + " ended: its tokens left expired", null, now));
            }
            if (chosen.monthlyTokens() > 0) {
                entries.add(LedgerEntry.automatic(organization.id(), LedgerEntryKind.PLAN_ALLOWANCE, LedgerAccount.PLAN_TOKENS, BigDecimal.valueOf(chosen.monthlyTokens()),
                        chosen.monthlyTokens(), "Plan " + chosen.name() + " started: its allowance", null, now));
            }
            store.post(connection, info(organization), state.withPlan(chosen.freeBaseline() ? null : chosen.id(), periodStart, renewedByInvoice), entries, now);
            return null;
        });
    }

    /**
     * An entry a system posts without a viewer, such as a purchase Stripe reports paid.
     *
     * @param amount signed: money for CREDITS (in {@code currencyCode}), a whole token count for token accounts
     * @param currencyCode the currency of a CREDITS amount, null for tokens
     * @param sourceKey the outside object it is posted for, such as {@code stripe:checkout:cs_...}: posted once per key
     */
    public record SystemEntry(long organizationId, LedgerEntryKind kind, LedgerAccount account, BigDecimal amount, @Nullable String currencyCode,
                              String description, String sourceKey) {
    }

    /**
     * Posts a system entry in the caller's transaction (it joins it, so the entry commits or rolls
     * back with what caused it), once per source key. The caller decided the organization and the
     * amount; nothing is checked here but the shape of the amount.
     *
     * @return whether it was posted (false: its source key was posted before)
     */
    public boolean postSystemEntry(SystemEntry input) {
        BigDecimal stored = input.account().isTokens() ? input.amount().setScale(0, RoundingMode.UNNECESSARY) : Money.round(input.amount());
        return write(connection -> {
            Instant now = clock.instant();
            if (!store.claimSource(connection, input.organizationId(), input.sourceKey(), now)) {
                return false;
            }
            Organization organization = organizations.findById(input.organizationId()).orElseThrow(() -> MeterlineException.notFound("Organization"));
            LedgerStore.Locked locked = store.lock(connection, info(organization), now);
            store.post(connection, info(organization), locked.state(),
                    List.of(systemEntry(organization.id(), input.kind(), input.account(), stored, input.currencyCode(), input.description(), now)), now);
            return true;
        });
    }

    /**
     * Takes refunded top-up tokens back (a refunded top-up purchase), in the caller's transaction, once
     * per source key: at most the top-up tokens the organization still has, since tokens already used
     * stay used.
     *
     * @return how many tokens were taken back (0 as well when the source key was posted before)
     */
    public long takeBackTopUpTokens(long organizationId, long tokens, String description, String sourceKey) {
        return write(connection -> {
            Instant now = clock.instant();
            if (tokens <= 0 || !store.claimSource(connection, organizationId, sourceKey, now)) {
                return 0L;
            }
            Organization organization = organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound("Organization"));
            LedgerStore.Locked locked = store.lock(connection, info(organization), now);
            long taken = Math.min(tokens, Math.max(locked.state().topupTokens(), 0));
            if (taken > 0) {
                store.post(connection, info(organization), locked.state(),
                        List.of(systemEntry(organizationId, LedgerEntryKind.REFUND, LedgerAccount.TOPUP_TOKENS, BigDecimal.valueOf(-taken), null, description, now)), now);
            }
            return taken;
        });
    }

    /** An entry no user posted: money in {@code currencyCode} for CREDITS, a whole token count (currency ignored) for token accounts. */
    private static LedgerEntry systemEntry(long organizationId, LedgerEntryKind kind, LedgerAccount account, BigDecimal stored, @Nullable String currencyCode,
                                           String description, Instant now) {
        long tokens = account.isTokens() ? stored.abs().longValueExact() : 0;
        return new LedgerEntry(null, organizationId, kind, account, stored, account.isTokens() ? null : currencyCode, null, tokens, 0,
                LedgerEntry.truncate(description), null, null, 0, null, null, null, null, now);
    }

    /**
     * Starts a new allowance period of the organization's plan now (a paid renewal invoice): the
     * plan tokens left expire and the plan's monthly tokens are granted, in the caller's
     * transaction, once per source key. The plan's reset day no longer renews them: invoices do.
     *
     * @return whether it was posted (false: its source key was posted before)
     */
    public boolean renewPlanAllowance(long organizationId, String sourceKey) {
        return write(connection -> {
            Instant now = clock.instant();
            if (!store.claimSource(connection, organizationId, sourceKey, now)) {
                return false;
            }
            Organization organization = organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound("Organization"));
            LedgerStore.Locked locked = store.lock(connection, info(organization), now);
            LedgerStore.State state = locked.state();
            List<LedgerEntry> entries = new ArrayList<>();
            if (state.planTokens() != 0) {
                entries.add(LedgerEntry.automatic(organizationId, LedgerEntryKind.PLAN_EXPIRY, LedgerAccount.PLAN_TOKENS, BigDecimal.valueOf(-state.planTokens()),
                        state.planTokens(), "Plan " + locked.plan().name() + " renewed: the tokens left of the last period expired", null, now));
            }
            if (locked.plan().monthlyTokens() > 0) {
                entries.add(LedgerEntry.automatic(organizationId, LedgerEntryKind.PLAN_ALLOWANCE, LedgerAccount.PLAN_TOKENS,
                        BigDecimal.valueOf(locked.plan().monthlyTokens()), locked.plan().monthlyTokens(), "Plan " + locked.plan().name() + " renewed: its allowance",
                        null, now));
            }
            store.post(connection, info(organization), state.withPlan(state.planId(), LocalDate.ofInstant(now, organization.zone()), true), entries, now);
            return true;
        });
    }

    /** Posts a purchase, refund, grant or adjustment; every refusal happens before anything is stored. */
    public LedgerEntry createEntry(Viewer viewer, AdminEntry input) {
        tenantScope.requirePlatformAdmin(viewer);
        Organization organization = organization(viewer, input.organizationId());
        List<UserError> errors = new ArrayList<>();
        String reason = input.reason() == null ? "" : input.reason().trim();
        if (reason.isEmpty()) {
            errors.add(UserError.of("reason", LedgerErrorCode.BLANK, "A reason is required"));
        }
        else if (reason.length() > MAX_REASON) {
            errors.add(UserError.of("reason", LedgerErrorCode.LENGTH, "The reason is longer than " + MAX_REASON + " characters"));
        }
        String description = input.description() == null || input.description().isBlank() ? LedgerEntry.truncate(input.kind().name().charAt(0)
                + input.kind().name().substring(1).toLowerCase(java.util.Locale.ROOT) + ": " + reason) : input.description().trim();
        if (description.length() > MAX_DESCRIPTION) {
            errors.add(UserError.of("description", LedgerErrorCode.LENGTH, "The description is longer than " + MAX_DESCRIPTION + " characters"));
        }
        if (!ADMIN_KINDS.contains(input.kind())) {
            errors.add(UserError.of("kind", LedgerErrorCode.INVALID, "Admins post PURCHASE, REFUND, GRANT or ADJUSTMENT entries"));
        }
        if (input.account() == LedgerAccount.PLAN_TOKENS && input.kind() != LedgerEntryKind.GRANT && input.kind() != LedgerEntryKind.ADJUSTMENT) {
            errors.add(UserError.of("account", LedgerErrorCode.INVALID, "Plan tokens take only GRANT and ADJUSTMENT entries"));
        }
        BigDecimal amount = input.amount();
        if (amount == null || amount.signum() == 0) {
            errors.add(UserError.of("amount", LedgerErrorCode.OUT_OF_RANGE, "The amount can't be zero"));
        }
        else if (amount.signum() < 0 && input.kind() != LedgerEntryKind.ADJUSTMENT) {
            errors.add(UserError.of("amount", LedgerErrorCode.OUT_OF_RANGE, input.kind() + " amounts are positive; use ADJUSTMENT to take away"));
        }
        else if (amount.abs().compareTo(new BigDecimal("1e15")) >= 0) {
            errors.add(UserError.of("amount", LedgerErrorCode.OUT_OF_RANGE, "The amount is too large"));
        }
        else if (input.account().isTokens() && amount.stripTrailingZeros().scale() > 0) {
            errors.add(UserError.of("amount", LedgerErrorCode.INVALID, "Token amounts are whole numbers"));
        }
        else if (amount.stripTrailingZeros().scale() > Money.AMOUNT_SCALE) {
            errors.add(UserError.of("amount", LedgerErrorCode.INVALID, "Amounts have at most 9 decimals"));
        }
        UserInputException.throwIfAny(errors);
        BigDecimal stored = input.account().isTokens() ? amount.setScale(0, RoundingMode.UNNECESSARY) : Money.round(amount);
        long id = write(connection -> {
            Instant now = clock.instant();
            LedgerStore.OrganizationInfo info = info(organization);
            LedgerStore.State state = store.lock(connection, info, now).state();
            long balance = input.account() == LedgerAccount.PLAN_TOKENS ? state.planTokens() : state.topupTokens();
            if (input.account().isTokens() && stored.signum() < 0 && balance + stored.longValueExact() < 0) {
                // Thrown inside the transaction: it rolls back, so even a period rollover made by the lock is not kept.
                throw new UserInputException(UserError.of("amount", LedgerErrorCode.OUT_OF_RANGE,
                        "The adjustment would take " + input.account() + " below zero (" + balance + " available)"));
            }
            long tokens = input.account().isTokens() ? stored.abs().longValueExact() : 0;
            LedgerEntry entry = new LedgerEntry(null, organization.id(), input.kind(), input.account(), stored,
                    input.account().isTokens() ? null : organization.billingCurrency(), null, tokens, 0, description, reason, viewer.email(), 0, null, null, null, null,
                    now);
            long entryId = store.insertReturningId(connection, entry);
            store.update(connection, state.plus(entry, organization.billingCurrency()), now);
            return entryId;
        });
        return read(connection -> store.entry(connection, id));
    }

    /** Changes the low-balance threshold; organization admins (their own) and platform admins. */
    public BalanceView updateSettings(Viewer viewer, @Nullable String organizationId, @Nullable BigDecimal threshold) {
        long id = tenantScope.organizationToManage(viewer, organizationId);
        Organization organization = organizations.findById(id).orElseThrow(() -> MeterlineException.notFound(String.valueOf(organizationId)));
        if (threshold == null || threshold.signum() < 0 || threshold.compareTo(new BigDecimal("1e15")) >= 0) {
            throw new UserInputException(UserError.of("lowBalanceThreshold", LedgerErrorCode.OUT_OF_RANGE, "The threshold must be zero or more"));
        }
        if (threshold.stripTrailingZeros().scale() > Money.AMOUNT_SCALE) {
            throw new UserInputException(UserError.of("lowBalanceThreshold", LedgerErrorCode.INVALID, "The threshold has at most 9 decimals"));
        }
        write(connection -> {
            Instant now = clock.instant();
            LedgerStore.State state = store.lock(connection, info(organization), now).state();
            store.update(connection, state.withThreshold(Money.round(threshold)), now);
            return null;
        });
        return balance(viewer, organization.id());
    }

    public BalanceView balance(Viewer viewer, @Nullable String organizationId) {
        long id = tenantScope.organizationFor(viewer, organizationId);
        return balance(viewer, id);
    }

    private BalanceView balance(Viewer viewer, long organizationId) {
        Organization organization = organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound("Organization"));
        String currency = organization.billingCurrency();
        Instant now = clock.instant();
        LedgerStore.Locked unlocked = read(connection -> store.current(connection, info(organization), now));
        // Only the first read after a reset day (or of a new organization) locks and rolls the period over.
        LedgerStore.Locked locked = unlocked != null ? unlocked : write(connection -> store.lock(connection, info(organization), now));
        LedgerStore.Totals totals = read(connection -> store.totals(connection, organizationId));
        LedgerStore.State state = locked.state();
        BigDecimal spent = totals.sum(currency, LedgerEntryKind.USAGE).negate();
        // Credits given back for usage; a card refund (a negative REFUND) takes money out, it does not undo usage.
        BigDecimal refunds = totals.positiveSum(currency, LedgerEntryKind.REFUND);
        List<Money> other = new ArrayList<>();
        totals.creditsByCurrency().forEach((otherCurrency, byKind) -> {
            if (!otherCurrency.equals(currency)) {
                other.add(new Money(Money.round(byKind.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add)), otherCurrency));
            }
        });
        Money current = new Money(Money.round(state.credits()), currency);
        return new BalanceView(organization, current, state.credits().compareTo(state.lowThreshold()) < 0 ? "LOW" : "HEALTHY",
                new Money(Money.round(state.lowThreshold()), currency), new Money(Money.round(totals.sum(currency, LedgerEntryKind.PURCHASE)), currency),
                new Money(Money.round(spent), currency), new Money(Money.round(spent.subtract(refunds)), currency), locked.plan(), state.planTokens(),
                state.periodStart().plusMonths(1), state.topupTokens(), current, null, other, totals.lastEntryAt(),
                estimates(organization, state.credits()));
    }

    /**
     * What the balance buys of each reference meter at the current price, after the organization's
     * factor, converted into the billing currency at today's rate (UTC day, as usage is converted):
     * what usage priced now would be charged.
     */
    private List<UsageEstimate> estimates(Organization organization, BigDecimal credits) {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<UsageEstimate> result = new ArrayList<>();
        for (String reference : referenceRates) {
            String[] parts = reference.trim().split("/");
            if (parts.length != 3) {
                continue;
            }
            Optional<RateRecord> rate = priceBook.find(parts[0], parts[1], parts[2], now);
            if (rate.isEmpty()) {
                result.add(new UsageEstimate(parts[0], parts[1], parts[2], null, null, null, null));
                continue;
            }
            BigDecimal price = rate.get().unitPrice().multiply(organization.priceFactor());
            Optional<CrossRate> exchange = fx.rate(rate.get().currency(), organization.billingCurrency(), today);
            Long remaining = null;
            if (price.signum() > 0 && exchange.isPresent()) {
                // Exact: the credits over the unrounded converted price, whole units down.
                remaining = credits.signum() <= 0 ? 0L : credits.multiply(BigDecimal.valueOf(rate.get().perQuantity()))
                        .divide(price.multiply(exchange.get().rate()), 0, RoundingMode.FLOOR).longValue();
            }
            Money billed = exchange.map(found -> new Money(plain(Money.round(price.multiply(found.rate()))), organization.billingCurrency())).orElse(null);
            result.add(new UsageEstimate(parts[0], parts[1], parts[2], billed, new Money(plain(price), rate.get().currency()), rate.get().perQuantity(), remaining));
        }
        return result;
    }

    /** A price without trailing zeros (0.6, not 0.600000000000), nor an exponent. */
    private static BigDecimal plain(BigDecimal price) {
        BigDecimal stripped = price.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    /**
     * A page of an organization's entries, newest first by date: {@code ledgerEntries} and {@code transactions}.
     *
     * @param after the position of the {@code after} cursor (epoch microseconds of the date, and the id), null for the first page
     */
    public io.meterline.platform.graphql.Connection<LedgerEntry> entries(Viewer viewer, @Nullable String organizationId, int first,
                                                                          io.meterline.platform.graphql.Connection.@Nullable Position after,
                                                                          Set<LedgerEntryKind> kinds, @Nullable DayRange range) {
        long id = tenantScope.organizationFor(viewer, organizationId);
        LedgerStore.EntryFilter filter = filter(kinds, range);
        LedgerStore.Position before = after == null ? null
                : new LedgerStore.Position(Instant.EPOCH.plus(after.value(), ChronoUnit.MICROS), after.id());
        return read(connection -> io.meterline.platform.graphql.Connection.ofPositions(store.page(connection, id, before, filter, first + 1), first,
                entry -> new io.meterline.platform.graphql.Connection.Position(ChronoUnit.MICROS.between(Instant.EPOCH, entry.createdAt()),
                        entry.id()), after != null, store.count(connection, id, filter)));
    }

    /**
     * One page of a download: up to {@code limit} entries after {@code before} (null: from the newest),
     * newest first by date, for an organization the caller has already checked. Each page is its own
     * short read, so a long history never holds a connection while the client downloads.
     */
    List<LedgerEntry> exportPage(long organizationId, LedgerStore.@Nullable Position before, Set<LedgerEntryKind> kinds, @Nullable DayRange range, int limit) {
        return read(connection -> store.page(connection, organizationId, before, filter(kinds, range), limit));
    }

    private static LedgerStore.EntryFilter filter(Set<LedgerEntryKind> kinds, @Nullable DayRange range) {
        return new LedgerStore.EntryFilter(kinds, range == null ? null : range.start(), range == null ? null : range.end());
    }

    private Organization organization(Viewer viewer, String organizationId) {
        long id = tenantScope.organizationFor(viewer, organizationId);
        return organizations.findById(id).orElseThrow(() -> MeterlineException.notFound(organizationId));
    }

    private static LedgerStore.OrganizationInfo info(Organization organization) {
        return new LedgerStore.OrganizationInfo(organization.id(), organization.zone(), organization.billingCurrency());
    }

    private <T> T write(JdbcWork<T> work) {
        return JdbcWork.write(transactions, work);
    }

    private <T> T read(JdbcWork<T> work) {
        return JdbcWork.read(transactions, work);
    }
}
