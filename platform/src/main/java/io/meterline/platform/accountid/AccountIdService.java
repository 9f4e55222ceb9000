package io.meterline.platform.accountid;

import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.budget.Budget;
import io.meterline.platform.budget.BudgetService;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Account IDs: create (typed or generated code), label, suspend, reactivate, archive, and the daily
 * token limit. The limit is not enforced here but by the budget engine: each limited Account ID
 * owns a HARD, daily TOKENS budget scoped to its code, created, changed and archived through
 * {@link BudgetService}, so authorization, counters and threshold alerts work as for every budget.
 * Every input is validated before anything is written.
 */
@Singleton
public class AccountIdService {

    /** Letters and digits that cannot be mistaken for one another when read aloud or typed: no 0/O, 1/I/L. */
    static final String CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    private static final Pattern CODE = Pattern.compile("[A-Z0-9](?:[A-Z0-9-]{1,30}[A-Z0-9])");
    private static final int MAX_LABEL = 100;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AccountIdRepository accountIds;
    private final OrganizationRepository organizations;
    private final BudgetService budgets;
    private final TenantScope tenantScope;
    private final Clock clock;

    public AccountIdService(AccountIdRepository accountIds, OrganizationRepository organizations, BudgetService budgets, TenantScope tenantScope, Clock clock) {
        this.accountIds = accountIds;
        this.organizations = organizations;
        this.budgets = budgets;
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    /** What a new Account ID needs; a null code is generated. */
    public record NewAccountId(@Nullable String organizationId, @Nullable String code, @Nullable String label, @Nullable Long dailyTokenLimit) {
    }

    /** A change; null leaves a field as it is, {@code unlimited} removes the daily limit. */
    public record Change(String id, @Nullable String label, @Nullable Long dailyTokenLimit, boolean unlimited) {
    }

    @Transactional
    public AccountId create(Viewer viewer, NewAccountId input) {
        long organizationId = tenantScope.organizationToManage(viewer, input.organizationId());
        organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound(input.organizationId()));
        List<UserError> errors = new ArrayList<>();
        String code = input.code() == null || input.code().isBlank() ? generateCode(organizationId) : validCode(organizationId, input.code(), errors);
        String label = validLabel(input.label(), errors);
        validateLimit(input.dailyTokenLimit(), errors);
        UserInputException.throwIfAny(errors);
        AccountId saved;
        try {
            saved = accountIds.save(new AccountId(null, organizationId, code, label, AccountIdStatus.ACTIVE, input.dailyTokenLimit(), null, clock.instant(),
                    viewer.email(), null));
        }
        catch (DataAccessException e) {
            // Two creations of one code raced; the unique key let one win.
            throw new UserInputException(UserError.of("code", AccountIdErrorCode.TAKEN, "Account ID " + code + " already exists in this organization"));
        }
        if (input.dailyTokenLimit() == null) {
            return saved;
        }
        Budget budget = budgets.create(viewer, dailyBudget(organizationId, code, input.dailyTokenLimit()));
        return accountIds.update(saved.withDetails(label, input.dailyTokenLimit(), budget.id()));
    }

    @Transactional
    public AccountId update(Viewer viewer, Change change) {
        AccountId accountId = findToManage(viewer, change.id());
        List<UserError> errors = new ArrayList<>();
        String label = change.label() == null ? accountId.label() : validLabel(change.label(), errors);
        if (change.unlimited() && change.dailyTokenLimit() != null) {
            errors.add(UserError.of("dailyTokenLimit", AccountIdErrorCode.INVALID, "Give a daily token limit or unlimited, not both"));
        }
        validateLimit(change.dailyTokenLimit(), errors);
        if (accountId.status() == AccountIdStatus.ARCHIVED) {
            errors.add(UserError.of("id", AccountIdErrorCode.INVALID_STATE, "Account ID " + accountId.code() + " is archived"));
        }
        UserInputException.throwIfAny(errors);
        Long limit = change.unlimited() ? null : change.dailyTokenLimit() == null ? accountId.dailyTokenLimit() : change.dailyTokenLimit();
        // An admin may have archived the budget directly: then a limit needs a new one.
        Optional<Budget> budget = activeBudget(viewer, accountId);
        Long budgetId = budget.map(Budget::id).orElse(null);
        if (limit == null && budget.isPresent()) {
            budgets.archive(viewer, GlobalId.encode(Budget.TYPE, budgetId));
            budgetId = null;
        }
        else if (limit != null && budget.isEmpty()) {
            budgetId = budgets.create(viewer, dailyBudget(accountId.organizationId(), accountId.code(), limit)).id();
        }
        else if (limit != null && (budget.get().limitAmount() == null || budget.get().limitAmount().compareTo(BigDecimal.valueOf(limit)) != 0)) {
            budgets.update(viewer, new BudgetService.BudgetChange(GlobalId.encode(Budget.TYPE, budgetId), null, BigDecimal.valueOf(limit), false, null, null));
        }
        return accountIds.update(accountId.withDetails(label, limit, limit == null ? null : budgetId));
    }

    @Transactional
    public AccountId suspend(Viewer viewer, String id) {
        return move(viewer, id, AccountIdStatus.ACTIVE, AccountIdStatus.SUSPENDED);
    }

    @Transactional
    public AccountId reactivate(Viewer viewer, String id) {
        return move(viewer, id, AccountIdStatus.SUSPENDED, AccountIdStatus.ACTIVE);
    }

    /** Archives for good: refused from now on, history kept, the code never reused; its daily budget is archived too. */
    @Transactional
    public AccountId archive(Viewer viewer, String id) {
        AccountId accountId = findToManage(viewer, id);
        if (accountId.status() == AccountIdStatus.ARCHIVED) {
            throw new UserInputException(UserError.of("id", AccountIdErrorCode.INVALID_STATE, "Account ID " + accountId.code() + " is already archived"));
        }
        activeBudget(viewer, accountId).ifPresent(budget -> budgets.archive(viewer, GlobalId.encode(Budget.TYPE, budget.id())));
        return accountIds.update(accountId.withStatus(AccountIdStatus.ARCHIVED, clock.instant()));
    }

    /** The Account ID's daily budget while it is not archived. */
    private Optional<Budget> activeBudget(Viewer viewer, AccountId accountId) {
        return Optional.ofNullable(accountId.budgetId()).map(id -> budgets.find(viewer, GlobalId.encode(Budget.TYPE, id)))
                .filter(budget -> !budget.archived());
    }

    private AccountId move(Viewer viewer, String id, AccountIdStatus from, AccountIdStatus to) {
        AccountId accountId = findToManage(viewer, id);
        if (accountId.status() != from) {
            throw new UserInputException(UserError.of("id", AccountIdErrorCode.INVALID_STATE, "Account ID " + accountId.code() + " is " + accountId.status()
                    + "; only " + from + " ones can become " + to));
        }
        return accountIds.update(accountId.withStatus(to, clock.instant()));
    }

    /** A fresh code of the organization, such as {@code K7QM-4TZP}: unambiguous characters, not used before in the organization. */
    public String generateCode(Viewer viewer, @Nullable String organizationId) {
        return generateCode(tenantScope.organizationToManage(viewer, organizationId));
    }

    private String generateCode(long organizationId) {
        for (int attempt = 0; ; attempt++) {
            StringBuilder code = new StringBuilder(9);
            for (int i = 0; i < 8; i++) {
                if (i == 4) {
                    code.append('-');
                }
                code.append(CODE_ALPHABET.charAt(RANDOM.nextInt(CODE_ALPHABET.length())));
            }
            // 31^8 codes: a collision is rare enough that a few attempts always suffice.
            if (!accountIds.existsByOrganizationIdAndCode(organizationId, code.toString()) || attempt == 10) {
                return code.toString();
            }
        }
    }

    /** An Account ID the viewer may see, or NOT_FOUND. */
    public AccountId find(Viewer viewer, String id) {
        AccountId accountId = accountIds.findById(GlobalId.require(id, AccountId.TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
        tenantScope.check(viewer, Owner.organization(accountId.organizationId()), id);
        return accountId;
    }

    private AccountId findToManage(Viewer viewer, String id) {
        AccountId accountId = find(viewer, id);
        tenantScope.requireManager(viewer);
        return accountId;
    }

    public List<AccountId> page(long organizationId, long afterId, boolean includeArchived, @Nullable AccountIdStatus status, @Nullable String search, int limit) {
        return accountIds.page(organizationId, afterId, includeArchived, status == null ? null : status.name(), containsPattern(search), limit);
    }

    public long count(long organizationId, boolean includeArchived, @Nullable AccountIdStatus status, @Nullable String search) {
        return accountIds.count(organizationId, includeArchived, status == null ? null : status.name(), containsPattern(search));
    }

    /** The lower-case LIKE pattern (escape {@code !}) of a search text; null for none. */
    private static @Nullable String containsPattern(@Nullable String search) {
        if (search == null) {
            return null;
        }
        if (search.isBlank() || search.length() > 128) {
            throw MeterlineException.badInput("search must be 1 to 128 characters");
        }
        String escaped = search.trim().toLowerCase(Locale.ROOT).replace("!", "!!").replace("%", "!%").replace("_", "!_");
        return "%" + escaped + "%";
    }

    public long countByStatus(long organizationId, AccountIdStatus status) {
        return accountIds.countByOrganizationIdAndStatus(organizationId, status);
    }

    public Organization organization(long organizationId) {
        return organizations.findById(organizationId).orElseThrow();
    }

    private BudgetService.NewBudget dailyBudget(long organizationId, String code, long limit) {
        return new BudgetService.NewBudget(GlobalId.encode(TenantScope.ORGANIZATION_TYPE, organizationId), "Account ID " + code + " daily tokens",
                Budget.Metric.TOKENS, null, null, Budget.Scope.ACCOUNT_ID, code, Budget.Period.DAY, BigDecimal.valueOf(limit), null,
                Budget.Enforcement.HARD, Budget.Type.SUBSCRIPTION, null);
    }

    private String validCode(long organizationId, String typed, List<UserError> errors) {
        String code = typed.trim().toUpperCase(Locale.ROOT);
        if (!CODE.matcher(code).matches()) {
            errors.add(UserError.of("code", AccountIdErrorCode.INVALID, "An Account ID is 3 to 32 letters, digits or inner dashes, such as BAY-01"));
            return code;
        }
        accountIds.findByOrganizationIdAndCode(organizationId, code).ifPresent(existing -> errors.add(UserError.of("code", AccountIdErrorCode.TAKEN,
                existing.status() == AccountIdStatus.ARCHIVED ? "Account ID " + code + " was archived; archived codes are never reused"
                        : "Account ID " + code + " already exists in this organization")));
        return code;
    }

    private static String validLabel(@Nullable String label, List<UserError> errors) {
        String trimmed = label == null ? "" : label.trim();
        if (trimmed.isEmpty()) {
            errors.add(UserError.of("label", AccountIdErrorCode.BLANK, "User Name can't be blank"));
        }
        else if (trimmed.length() > MAX_LABEL) {
            errors.add(UserError.of("label", AccountIdErrorCode.LENGTH, "User Name is longer than " + MAX_LABEL + " characters"));
        }
        return trimmed;
    }

    private static void validateLimit(@Nullable Long limit, List<UserError> errors) {
        if (limit != null && limit < 1) {
            errors.add(UserError.of("dailyTokenLimit", AccountIdErrorCode.OUT_OF_RANGE, "A daily token limit is at least 1; leave it out for unlimited"));
        }
    }
}
