package io.meterline.platform.demo;

import io.meterline.platform.account.AccountService;
import io.meterline.platform.account.BootstrapAdminConfiguration;
import io.meterline.platform.accountid.AccountIdService;
import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.security.User;
import io.meterline.platform.security.UserRepository;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.budget.Budget;
import io.meterline.platform.budget.BudgetService;
import io.meterline.platform.ledger.LedgerAccount;
import io.meterline.platform.ledger.LedgerEntryKind;
import io.meterline.platform.ledger.LedgerService;
import io.meterline.platform.ledger.Plan;
import io.meterline.platform.billing.BillingService;
import java.math.BigDecimal;
import java.math.RoundingMode;
import io.meterline.platform.usage.EventResult;
import io.meterline.platform.usage.UsageIngestService;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.time.Clock;
import java.time.ZoneId;
import java.time.LocalDate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeds a fresh database with a platform admin, three organizations with their users and API keys,
 * and 90 days of synthetic usage over every first-party provider, closes the subscribed organization's
 * previous month into a paid invoice ({@link DemoMonthClose}), then prints how to sign in.
 *
 * <p>Exists only in the {@code demo} environment, and only while {@code meterline.demo.enabled} is
 * true (set by {@code application-demo.yml}), so demo data can never reach a real deployment. Seeding
 * is idempotent: an organization whose slug already exists is left alone, so restarting on the same
 * file-backed H2 database adds nothing and only prints the sign-in details again.
 *
 * <p>Runs on {@link StartupEvent} after the price book has stored the plugins' default rates
 * (order -100), because usage is priced as it is recorded, and after {@code BootstrapAdmin}, so the
 * admin from {@code METERLINE_BOOTSTRAP_ADMIN_*} wins over the demo admin when both are given.
 */
@Singleton
@Requires(env = "demo")
@Requires(property = "meterline.demo.enabled", value = "true")
public class DemoData {

    static final String ADMIN_EMAIL = "admin@meterline.local";
    static final String ADMIN_PASSWORD = "meterline-operator";

    private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);
    /** The most events {@code POST /v1/usage} accepts in one batch. */
    private static final int BATCH_SIZE = 1000;
    /** The demo organization on a paid plan. */
    static final String SUBSCRIBED_SLUG = "northwind";
    static final String STARTER_PLAN = "Starter";
    static final String GROWTH_PLAN = "Growth";

    private final AccountService accounts;
    private final ApiKeyService apiKeys;
    private final AccountIdService accountIds;
    private final UsageIngestService usage;
    private final BudgetService budgets;
    private final LedgerService ledger;
    private final BillingService billing;
    private final DemoMonthClose monthClose;
    private final OrganizationRepository organizations;
    private final UserRepository users;
    private final PlatformAdminRepository platformAdmins;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;
    private final BootstrapAdminConfiguration bootstrapAdmin;
    private final int port;

    public DemoData(AccountService accounts, ApiKeyService apiKeys, AccountIdService accountIds, UsageIngestService usage, BudgetService budgets,
                    LedgerService ledger, BillingService billing, DemoMonthClose monthClose, OrganizationRepository organizations,
                    UserRepository users, PlatformAdminRepository platformAdmins, TransactionOperations<Connection> transactions, Clock clock,
                    BootstrapAdminConfiguration bootstrapAdmin, HttpServerConfiguration server) {
        this.accounts = accounts;
        this.apiKeys = apiKeys;
        this.accountIds = accountIds;
        this.usage = usage;
        this.budgets = budgets;
        this.ledger = ledger;
        this.billing = billing;
        this.monthClose = monthClose;
        this.organizations = organizations;
        this.users = users;
        this.platformAdmins = platformAdmins;
        this.transactions = transactions;
        this.clock = clock;
        this.bootstrapAdmin = bootstrapAdmin;
        // micronaut.server.port is always set by application.yml (METERLINE_PORT, else 8080).
        this.port = server.getPort().orElseThrow(() -> new IllegalStateException("micronaut.server.port is not set"));
    }

    /**
     * The platform admin the seeder acts as, and the password to print when it is known.
     *
     * @param user the admin
     * @param password the password, empty when the admin existed before and its password is unknown here
     */
    private record Admin(User user, Optional<String> password) {
    }

    /**
     * What seeding one organization did.
     *
     * @param organization the demo organization
     * @param created whether this start created it, rather than finding it already there
     * @param events the usage events recorded now
     * @param unpricedEvents those of them without a price
     */
    private record Seeded(DemoOrganization organization, boolean created, int events, int unpricedEvents) {
    }

    /**
     * A new organization and its two keys: most traffic arrives through production, some through staging.
     *
     * @param organizationId the organization's row id
     * @param productionKeyId the production gateway's key
     * @param stagingKeyId the staging gateway's key
     */
    private record Tenant(long organizationId, long productionKeyId, long stagingKeyId) {
    }

    @EventListener
    @Order(100)
    void onStartup(StartupEvent event) {
        Instant started = Instant.now();
        Admin admin = platformAdmin();
        Viewer viewer = new Viewer(admin.user().id(), admin.user().email(), Role.PLATFORM_ADMIN, null);
        planCatalog(viewer);
        List<Seeded> seeded = new ArrayList<>();
        for (DemoOrganization organization : DemoOrganization.all()) {
            seeded.add(seed(viewer, organization));
        }
        banner(admin, seeded, Duration.between(started, Instant.now()));
    }

    /**
     * Creates the platform admin unless one exists. The bootstrap admin from the environment goes
     * first, whichever of this listener and {@code BootstrapAdmin} runs first, because
     * {@link AccountService#bootstrapPlatformAdmin} creates nobody once a platform admin exists.
     */
    private Admin platformAdmin() {
        boolean bootstrapGiven = bootstrapAdmin.given();
        if (bootstrapGiven) {
            if (accounts.bootstrapPlatformAdmin(bootstrapAdmin.email(), bootstrapAdmin.password())) {
                LOG.info("Created the bootstrap platform admin {}", bootstrapAdmin.email());
            }
            Optional<User> bootstrap = users.findByEmail(bootstrapAdmin.email().trim().toLowerCase(Locale.ROOT));
            if (bootstrap.isPresent() && bootstrap.get().role() == Role.PLATFORM_ADMIN) {
                return new Admin(bootstrap.get(), Optional.of(bootstrapAdmin.password()));
            }
        }
        else if (accounts.bootstrapPlatformAdmin(ADMIN_EMAIL, ADMIN_PASSWORD)) {
            LOG.info("Created the demo platform admin {}", ADMIN_EMAIL);
        }
        Optional<User> demoAdmin = users.findByEmail(ADMIN_EMAIL).filter(user -> user.role() == Role.PLATFORM_ADMIN);
        if (demoAdmin.isPresent()) {
            return new Admin(demoAdmin.get(), Optional.of(ADMIN_PASSWORD));
        }
        // The database was first started outside the demo, or with other bootstrap settings: act as its first admin.
        User existing = platformAdmins.findFirstByRoleOrderById(Role.PLATFORM_ADMIN)
                .orElseThrow(() -> new IllegalStateException("no platform admin exists after bootstrapping one"));
        return new Admin(existing, Optional.empty());
    }

    private Seeded seed(Viewer viewer, DemoOrganization organization) {
        if (organizations.existsBySlug(organization.slug())) {
            return new Seeded(organization, false, 0, 0);
        }
        // The organization, its users and keys appear together or not at all, so a failed start leaves no half-made tenant.
        Tenant tenant = transactions.executeWrite(status -> createAccounts(viewer, organization));
        createBudgets(viewer, GlobalId.encode(TenantScope.ORGANIZATION_TYPE, tenant.organizationId()));
        Instant now = clock.instant();
        ZoneId zone = ZoneId.of(organization.timeZone());
        List<DemoUsageGenerator.GeneratedEvent> events = new DemoUsageGenerator(organization).generate(now);
        int[] counts = {0, 0};
        if (organization.slug().equals(SUBSCRIBED_SLUG)) {
            // Usage draws on the plan period current when it is recorded: earlier months' usage is recorded before the
            // subscription starts, so only this month's draws on the plan's allowance, as it would have in real time.
            Instant periodStart = LocalDate.ofInstant(now, zone).withDayOfMonth(1).atStartOfDay(zone).toInstant();
            recordAll(tenant, events.stream().filter(event -> occurredAt(event).isBefore(periodStart)).toList(), counts);
            subscribe(tenant.organizationId(), zone);
            recordAll(tenant, events.stream().filter(event -> !occurredAt(event).isBefore(periodStart)).toList(), counts);
        }
        else {
            recordAll(tenant, events, counts);
        }
        int recorded = counts[0];
        int unpriced = counts[1];
        buyCredits(viewer, organization, GlobalId.encode(TenantScope.ORGANIZATION_TYPE, tenant.organizationId()));
        if (organization.slug().equals(SUBSCRIBED_SLUG)) {
            monthClose.closePreviousMonth(viewer, GlobalId.encode(TenantScope.ORGANIZATION_TYPE, tenant.organizationId()), organization);
        }
        LOG.info("Seeded {} ({}): {} usage events, {} of them unpriced", organization.name(), organization.slug(), recorded, unpriced);
        return new Seeded(organization, true, recorded, unpriced);
    }

    private Tenant createAccounts(Viewer viewer, DemoOrganization organization) {
        Organization created = accounts.createOrganization(viewer, new AccountService.NewOrganization(
                organization.name(), organization.slug(), organization.billingCurrency(), organization.timeZone()));
        if (organization.slug().equals(SUBSCRIBED_SLUG)) {
            created = organizations.update(customerSinceHistoryStarts(created));
        }
        String organizationId = GlobalId.encode(TenantScope.ORGANIZATION_TYPE, created.id());
        accounts.createUser(viewer, new AccountService.NewUser(organizationId, organization.adminEmail(), DemoOrganization.USER_PASSWORD,
                organization.name() + " admin", Role.ORG_ADMIN));
        accounts.createUser(viewer, new AccountService.NewUser(organizationId, organization.memberEmail(), DemoOrganization.USER_PASSWORD,
                organization.name() + " member", Role.ORG_MEMBER));
        // Five of the six codes the usage names are registered; the sixth shows usage of an unregistered code.
        String noun = organization.accountIdPrefix().charAt(0) + organization.accountIdPrefix().substring(1).toLowerCase(Locale.ROOT);
        for (int number = 1; number <= 5; number++) {
            accountIds.create(viewer, new AccountIdService.NewAccountId(organizationId, String.format("%s-%02d", organization.accountIdPrefix(), number),
                    noun + " " + number, null));
        }
        long production = apiKeys.createFor(created.id(), "Production gateway").apiKey().id();
        long staging = apiKeys.createFor(created.id(), "Staging gateway").apiKey().id();
        return new Tenant(created.id(), production, staging);
    }

    /**
     * The subscribed organization as a customer since its usage history starts, {@link DemoUsageGenerator#DAYS} days
     * ago, rather than since this start: the month close refuses months that ended before an organization existed, and
     * {@link DemoMonthClose} closes its previous month. Only this organization is dated back, so the scheduled close
     * issues no invoices for the other two while a demo runs.
     */
    private Organization customerSinceHistoryStarts(Organization organization) {
        ZoneId zone = ZoneId.of(organization.timeZone());
        Instant since = LocalDate.ofInstant(clock.instant(), zone).minusDays(DemoUsageGenerator.DAYS + 1L).atStartOfDay(zone).toInstant();
        return new Organization(organization.id(), organization.name(), organization.slug(), organization.billingCurrency(), organization.timeZone(),
                organization.unpricedUsagePolicy(), organization.costFactor(), organization.discountPercent(), since);
    }

    /**
     * Seed 000's plan catalog in CAD beside the free baseline: two paid plans sold through Stripe
     * (their price ids are the demo's own; without a Stripe key nothing is sold) and one hidden
     * plan only a platform admin assigns. Plans that exist by name are left alone.
     */
    private void planCatalog(Viewer viewer) {
        record Spec(String name, String price, long tokens, String stripePriceId, boolean visible) {
        }
        List<String> existing = ledger.plans(true).stream().map(Plan::name).toList();
        for (Spec spec : List.of(
                new Spec(STARTER_PLAN, "49.00", 5_000_000L, "price_demo_starter_cad", true),
                new Spec(GROWTH_PLAN, "149.00", 20_000_000L, "price_demo_growth_cad", true),
                new Spec("Enterprise (contract)", "990.00", 200_000_000L, null, false))) {
            if (!existing.contains(spec.name())) {
                ledger.createPlan(viewer, new LedgerService.PlanInput(spec.name(), new BigDecimal(spec.price()), "CAD", spec.tokens(), 1, true,
                        spec.stripePriceId(), spec.visible()));
            }
        }
    }

    /**
     * Northwind on the Growth plan as the webhook inbox would leave it after a paid checkout: an
     * active subscription renewing on the 1st of next month, a Visa on file.
     */
    private void subscribe(long organizationId, ZoneId zone) {
        billing.recordExistingCustomer(organizationId, "cus_demo_northwind");
        Instant now = clock.instant();
        Instant periodEnd = LocalDate.ofInstant(now, zone).withDayOfMonth(1).plusMonths(1).atStartOfDay(zone).toInstant();
        billing.applySubscription(new BillingService.SubscriptionChange("cus_demo_northwind", "sub_demo_northwind", "si_demo_northwind",
                "price_demo_growth_cad", "active", periodEnd, false, now));
        billing.applyPaymentMethod("cus_demo_northwind", "visa", "4242");
    }

    /**
     * The budgets the seed pages show, created before the usage so that it counts and crosses their
     * thresholds: seed 002's Today / This month / Total cards, seed 003's quotas (1M OpenAI tokens
     * and 500 of the currency a month, 100 requests a minute) with seed 004's 75 / 90 / 95 % alerts.
     */
    private void createBudgets(Viewer viewer, String organizationId) {
        record Spec(String name, Budget.Metric metric, String provider, Budget.Period period, String limit, List<Integer> thresholds, Budget.Enforcement enforcement) {
        }
        for (Spec spec : List.of(
                new Spec("Today", Budget.Metric.COST, null, Budget.Period.DAY, "25", List.of(80), Budget.Enforcement.SOFT),
                new Spec("This month", Budget.Metric.COST, null, Budget.Period.MONTH, "500", List.of(75, 90, 95), Budget.Enforcement.SOFT),
                new Spec("Total", Budget.Metric.COST, null, Budget.Period.TOTAL, "5000", List.of(80), Budget.Enforcement.SOFT),
                new Spec("OpenAI tokens", Budget.Metric.TOKENS, "openai", Budget.Period.MONTH, "1000000", List.of(75, 90, 95), Budget.Enforcement.HARD),
                new Spec("Requests per minute", Budget.Metric.REQUESTS, null, Budget.Period.MINUTE, "100", List.of(80), Budget.Enforcement.HARD))) {
            budgets.create(viewer, new BudgetService.NewBudget(organizationId, spec.name(), spec.metric(), spec.provider(), null, Budget.Scope.ORGANIZATION,
                    null, spec.period(), new BigDecimal(spec.limit()), spec.thresholds(), spec.enforcement(), null, null));
        }
    }

    /** A credit purchase that leaves the balance at the organization's closing balance once the seeded usage is paid for. */
    private void buyCredits(Viewer viewer, DemoOrganization organization, String organizationId) {
        BigDecimal missing = organization.closingBalance().subtract(ledger.balance(viewer, organizationId).current().amount());
        if (missing.signum() > 0) {
            ledger.createEntry(viewer, new LedgerService.AdminEntry(organizationId, LedgerEntryKind.PURCHASE, LedgerAccount.CREDITS,
                    missing.setScale(2, RoundingMode.UP), "Demo data: credit purchase", "Credit purchase"));
        }
    }

    /** Records generated events through each one's key (production or staging); adds to {@code counts} the accepted and the unpriced ones. */
    private void recordAll(Tenant tenant, List<DemoUsageGenerator.GeneratedEvent> events, int[] counts) {
        List<Map<String, Object>> production = new ArrayList<>();
        List<Map<String, Object>> staging = new ArrayList<>();
        for (DemoUsageGenerator.GeneratedEvent generated : events) {
            (generated.staging() ? staging : production).add(generated.payload());
        }
        for (List<EventResult> results : record(tenant.organizationId(), tenant.productionKeyId(), production)) {
            counts[0] += accepted(results);
            counts[1] += unpriced(results);
        }
        for (List<EventResult> results : record(tenant.organizationId(), tenant.stagingKeyId(), staging)) {
            counts[0] += accepted(results);
            counts[1] += unpriced(results);
        }
    }

    private static Instant occurredAt(DemoUsageGenerator.GeneratedEvent event) {
        return java.time.OffsetDateTime.parse((String) event.payload().get("timestamp")).toInstant();
    }

    /** Sends events in batches no larger than the ingestion endpoint accepts, as a gateway would. */
    private List<List<EventResult>> record(long organizationId, long apiKeyId, List<Map<String, Object>> events) {
        List<List<EventResult>> results = new ArrayList<>();
        for (int start = 0; start < events.size(); start += BATCH_SIZE) {
            List<Map<String, Object>> batch = events.subList(start, Math.min(events.size(), start + BATCH_SIZE));
            results.add(usage.recordEvents(organizationId, apiKeyId, batch));
        }
        return results;
    }

    private static int accepted(List<EventResult> results) {
        return (int) results.stream().filter(result -> result.outcome() == EventResult.Outcome.ACCEPTED).count();
    }

    private static int unpriced(List<EventResult> results) {
        return (int) results.stream().filter(result -> result.outcome() == EventResult.Outcome.ACCEPTED && !result.priced()).count();
    }

    private void banner(Admin admin, List<Seeded> seeded, Duration took) {
        int events = seeded.stream().mapToInt(Seeded::events).sum();
        int unpricedEvents = seeded.stream().mapToInt(Seeded::unpricedEvents).sum();
        boolean anyCreated = seeded.stream().anyMatch(Seeded::created);
        String line = "=".repeat(78);
        StringBuilder text = new StringBuilder();
        text.append('\n').append(line).append('\n');
        text.append("  Meterline demo").append('\n');
        text.append("  GraphiQL:        http://localhost:").append(port).append("/graphiql").append('\n');
        text.append("  Sign in:         POST http://localhost:").append(port).append("/login  {\"username\": ..., \"password\": ...}").append('\n');
        text.append("  Platform admin:  ").append(admin.user().email()).append("  /  ")
                .append(admin.password().orElse("(an existing admin; its password is not known here)")).append('\n');
        for (Seeded organization : seeded) {
            DemoOrganization demo = organization.organization();
            text.append(String.format("  %-20s %s  /  %s   (member: %s)%n", demo.name() + ":", demo.adminEmail(),
                    DemoOrganization.USER_PASSWORD, demo.memberEmail()));
        }
        if (anyCreated) {
            text.append(String.format("  Seeded %,d usage events (%d unpriced) over the last %d days in %.1f s%n",
                    events, unpricedEvents, DemoUsageGenerator.DAYS, took.toMillis() / 1000.0));
        }
        else {
            text.append("  Demo organizations already exist: seeded nothing (0 new usage events)").append('\n');
        }
        text.append(line);
        LOG.info("{}", text);
    }
}
