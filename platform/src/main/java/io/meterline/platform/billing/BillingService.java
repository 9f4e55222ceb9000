package io.meterline.platform.billing;

import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerUpdateParams;
import com.stripe.param.common.EmptyParam;
import io.meterline.platform.account.Organization;
import io.meterline.platform.account.OrganizationRepository;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.Money;
import io.meterline.platform.ledger.LedgerService;
import io.meterline.platform.ledger.Plan;
import io.meterline.platform.profile.CompanyDetails;
import io.meterline.platform.profile.CompanyDetailsRepository;
import io.meterline.platform.security.Role;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.meterline.platform.time.DayRange;
import io.meterline.platform.usage.UsageSummaryService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.text.NumberFormat;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Currency;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seed 000's Billing page: the plan, its usage and subscription, and the Stripe actions (Checkout
 * for a subscription, a token top-up or money credits; the Billing Portal). Also the entry points
 * the Stripe webhook inbox calls when Stripe reports a subscription or a payment method.
 *
 * <p>Every action is refused before anything is sent to Stripe or stored when the viewer may not
 * pay for the organization, Stripe is not configured, or the input is wrong. A Stripe failure
 * stores nothing but the customer, which Stripe did create (and which the same idempotency key
 * would answer again).
 */
@Singleton
public class BillingService {

    private static final Logger LOG = LoggerFactory.getLogger(BillingService.class);

    /** Metadata keys on every Stripe object we create, so the webhook inbox finds the organization. */
    public static final String METADATA_ORGANIZATION_ID = "meterline_organization_id";
    public static final String METADATA_CHECKOUT_KIND = "meterline_checkout_kind";
    public static final String METADATA_PLAN_ID = "meterline_plan_id";
    public static final String METADATA_PACK_ID = "meterline_pack_id";
    public static final String METADATA_TOKENS = "meterline_tokens";

    private final BillingStore store;
    private final StripeGateway stripe;
    private final StripeConfiguration configuration;
    private final TopUpPacks packs;
    private final LedgerService ledger;
    private final OrganizationRepository organizations;
    private final CompanyDetailsRepository companyDetails;
    private final UsageSummaryService usage;
    private final TenantScope tenantScope;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;

    public BillingService(BillingStore store, StripeGateway stripe, StripeConfiguration configuration, TopUpPacks packs, LedgerService ledger,
                          OrganizationRepository organizations, CompanyDetailsRepository companyDetails, UsageSummaryService usage, TenantScope tenantScope,
                          TransactionOperations<Connection> transactions, Clock clock) {
        this.store = store;
        this.stripe = stripe;
        this.configuration = configuration;
        this.packs = packs;
        this.ledger = ledger;
        this.organizations = organizations;
        this.companyDetails = companyDetails;
        this.usage = usage;
        this.tenantScope = tenantScope;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** The payment method on file, as Stripe last reported it. */
    public record PaymentMethod(String brand, String last4) {
    }

    /** Which Stripe actions the viewer can start now. */
    public record Actions(boolean startSubscription, boolean changePlan, boolean buyTopUp, boolean buyCredits, boolean openPortal, boolean manageSubscription) {
    }

    /** The whole Billing page. */
    public record BillingView(Organization organization, boolean configured, Plan plan, Money monthlyPrice, long tokensUsedThisMonth, long tokensRemaining,
                              LocalDate periodStart, LocalDate tokensResetDate, @Nullable LocalDate nextBillingDate,
                              @Nullable SubscriptionStatus subscriptionStatus, boolean cancelAtPeriodEnd, long topUpTokensAvailable,
                              @Nullable PaymentMethod paymentMethod, List<Plan> planOptions, List<TopUpPack> topUpPacks, Money creditPurchaseMaximum,
                              Actions actions) {
    }

    /** Which Billing Portal page to open. */
    public enum PortalFlow {
        /** Invoices, payment methods and the customer's details. */
        HOME,
        /** Stripe's subscription update flow (Manage Subscription). */
        SUBSCRIPTION_UPDATE,
        /** Stripe's cancellation flow; the organization returns to the free baseline when Stripe ends the subscription. */
        SUBSCRIPTION_CANCEL
    }

    /**
     * A subscription as the webhook inbox read it from a {@code customer.subscription.*} event.
     *
     * @param stripeCustomerId the subscription's {@code customer}
     * @param stripeSubscriptionId its {@code id}
     * @param stripeSubscriptionItemId the id of its item holding the plan's price
     * @param stripePriceId that item's {@code price.id}
     * @param status its {@code status}, as Stripe writes it ({@code past_due})
     * @param currentPeriodEnd the item's {@code current_period_end}; null when absent
     * @param cancelAtPeriodEnd its {@code cancel_at_period_end}
     * @param eventCreatedAt the event's {@code created}: older events than the stored state are ignored
     */
    public record SubscriptionChange(String stripeCustomerId, String stripeSubscriptionId, @Nullable String stripeSubscriptionItemId, String stripePriceId,
                                     String status, @Nullable Instant currentPeriodEnd, boolean cancelAtPeriodEnd, Instant eventCreatedAt) {
    }

    public BillingView billing(Viewer viewer, @Nullable String organizationId) {
        long id = tenantScope.organizationFor(viewer, organizationId);
        Organization organization = organizations.findById(id).orElseThrow(() -> MeterlineException.notFound("Organization"));
        LedgerService.BalanceView balance = ledger.balance(viewer, GlobalId.encode(TenantScope.ORGANIZATION_TYPE, id));
        Optional<BillingStore.SubscriptionRow> subscription = store.subscription(id);
        Optional<BillingStore.CustomerRow> customer = store.customer(id);
        Plan plan = balance.plan();
        LocalDate resetDate = balance.planTokensResetDate();
        LocalDate periodStart = resetDate.minusMonths(1);
        long used = usage.summarize(id, new DayRange(periodStart, resetDate.minusDays(1), organization.zone())).tokens();
        boolean live = subscription.filter(row -> row.status().holdsPlan()).isPresent();
        LocalDate nextBillingDate = subscription.filter(row -> row.status().holdsPlan() && row.currentPeriodEnd() != null)
                .map(row -> LocalDate.ofInstant(row.currentPeriodEnd(), organization.zone())).orElse(null);
        List<Plan> options = planOptions(organization);
        List<TopUpPack> topUps = packs.inCurrency(organization.billingCurrency());
        boolean payer = isPayer(viewer, id) && stripe.configured();
        Actions actions = new Actions(payer && !live && options.stream().anyMatch(BillingService::sold), payer && live, payer && !topUps.isEmpty(),
                payer, payer, payer && live);
        PaymentMethod paymentMethod = customer.filter(row -> row.paymentMethodBrand() != null && row.paymentMethodLast4() != null)
                .map(row -> new PaymentMethod(row.paymentMethodBrand(), row.paymentMethodLast4())).orElse(null);
        return new BillingView(organization, stripe.configured(), plan, price(plan, organization), used, balance.planTokensRemaining(), periodStart, resetDate,
                nextBillingDate, subscription.map(BillingStore.SubscriptionRow::status).orElse(null),
                subscription.map(BillingStore.SubscriptionRow::cancelAtPeriodEnd).orElse(false), balance.topUpTokensAvailable(), paymentMethod, options, topUps,
                new Money(configuration.creditPurchaseMaximum(), organization.billingCurrency()), actions);
    }

    /** The free baseline costs nothing in any currency; other plans cost their price. */
    private static Money price(Plan plan, Organization organization) {
        String currency = organization.billingCurrency();
        return plan.freeBaseline() ? new Money(BigDecimal.ZERO.setScale(Math.max(Currency.getInstance(currency).getDefaultFractionDigits(), 0)), currency)
                : plan.monthlyPriceMoney();
    }

    /** What an organization admin may choose: active, visible plans in the billing currency, and the free baseline. */
    private List<Plan> planOptions(Organization organization) {
        return ledger.plans(false).stream().filter(plan -> plan.freeBaseline() || (plan.visible() && plan.currency().equals(organization.billingCurrency())))
                .toList();
    }

    private static boolean sold(Plan plan) {
        return !plan.freeBaseline() && plan.stripePriceId() != null;
    }

    /** Paying is the organization's own admins' act: not its members, tool users, other organizations, or platform admins. */
    private static boolean isPayer(Viewer viewer, long organizationId) {
        return viewer.role() == Role.ORG_ADMIN && Objects.equals(viewer.organizationId(), organizationId);
    }

    /** Checks who asks and that Stripe is configured, before any input is read: answers the organization. */
    private Organization payingOrganization(Viewer viewer, @Nullable String organizationId) {
        long id = tenantScope.organizationToManage(viewer, organizationId);
        if (!isPayer(viewer, id)) {
            throw MeterlineException.forbidden("Only the organization's own admins can pay for it");
        }
        if (!stripe.configured()) {
            throw BillingErrors.notConfigured();
        }
        return organizations.findById(id).orElseThrow(() -> MeterlineException.notFound("Organization"));
    }

    /**
     * Starts a subscription to a plan (Checkout in subscription mode), or, when one is live, the
     * Billing Portal's confirmation of the change to that plan. Answers the URL to send the browser to.
     */
    public String subscriptionCheckout(Viewer viewer, @Nullable String organizationId, @Nullable String planId) {
        Organization organization = payingOrganization(viewer, organizationId);
        Plan plan = GlobalId.decode(planId == null ? "" : planId).filter(id -> id.type().equals(Plan.TYPE)).flatMap(id -> ledger.plan(id.id()))
                .filter(found -> found.active() && (found.visible() || found.freeBaseline()))
                .orElseThrow(() -> BillingErrors.field("planId", BillingErrorCode.NOT_FOUND, "No plan on offer has this id"));
        if (plan.freeBaseline()) {
            throw BillingErrors.field("planId", BillingErrorCode.INVALID_STATE,
                    "The free plan needs no checkout: cancel the paid subscription in Manage Subscription and the organization returns to it");
        }
        if (!plan.currency().equals(organization.billingCurrency())) {
            throw BillingErrors.field("planId", BillingErrorCode.CURRENCY_MISMATCH,
                    "Plan " + plan.name() + " is priced in " + plan.currency() + ", but this organization is billed in " + organization.billingCurrency());
        }
        if (plan.stripePriceId() == null) {
            throw BillingErrors.field("planId", BillingErrorCode.INVALID_STATE, "Plan " + plan.name() + " is not sold online; ask your account manager");
        }
        Optional<BillingStore.SubscriptionRow> live = store.subscription(organization.id()).filter(row -> row.status().holdsPlan());
        if (live.isPresent() && live.get().planId() == plan.id()) {
            throw BillingErrors.field("planId", BillingErrorCode.INVALID_STATE, "The organization is already on plan " + plan.name());
        }
        String customer = customer(organization);
        if (live.isPresent()) {
            return portal(organization, customer, live.get(), plan);
        }
        com.stripe.param.checkout.SessionCreateParams params = checkoutBase(organization, customer, CheckoutKind.SUBSCRIPTION, Map.of(METADATA_PLAN_ID, plan.id().toString()))
                .setMode(com.stripe.param.checkout.SessionCreateParams.Mode.SUBSCRIPTION)
                .addLineItem(com.stripe.param.checkout.SessionCreateParams.LineItem.builder().setPrice(plan.stripePriceId()).setQuantity(1L).build())
                .setSubscriptionData(com.stripe.param.checkout.SessionCreateParams.SubscriptionData.builder()
                        .putAllMetadata(metadata(organization, CheckoutKind.SUBSCRIPTION, Map.of(METADATA_PLAN_ID, plan.id().toString()))).build())
                .build();
        StripeGateway.Redirect session = stripe.createCheckoutSession(params, idempotencyKey("checkout"));
        store.insertCheckout(organization.id(), session.sessionId(), CheckoutKind.SUBSCRIPTION, plan.id(), null, plan.monthlyPrice(), plan.currency(),
                viewer.email(), clock.instant());
        return session.url();
    }

    /** Starts Checkout (payment mode) for a token top-up pack in the billing currency. */
    public String topUpCheckout(Viewer viewer, @Nullable String organizationId, @Nullable String packId) {
        Organization organization = payingOrganization(viewer, organizationId);
        TopUpPack pack = packs.find(packId == null ? "" : packId.trim())
                .orElseThrow(() -> BillingErrors.field("packId", BillingErrorCode.NOT_FOUND, "No top-up pack has this id"));
        if (!pack.price().currencyCode().equals(organization.billingCurrency())) {
            throw BillingErrors.field("packId", BillingErrorCode.CURRENCY_MISMATCH, "Pack " + pack.id() + " is sold in " + pack.price().currencyCode()
                    + ", but this organization is billed in " + organization.billingCurrency());
        }
        String customer = customer(organization);
        Map<String, String> extra = Map.of(METADATA_PACK_ID, pack.id(), METADATA_TOKENS, Long.toString(pack.tokens()));
        String name = NumberFormat.getIntegerInstance(Locale.US).format(pack.tokens()) + " top-up tokens";
        StripeGateway.Redirect session = stripe.createCheckoutSession(payment(organization, customer, CheckoutKind.TOP_UP, extra, name, pack.price()),
                idempotencyKey("checkout"));
        store.insertCheckout(organization.id(), session.sessionId(), CheckoutKind.TOP_UP, null, pack.tokens(), pack.price().amount(),
                pack.price().currencyCode(), viewer.email(), clock.instant());
        return session.url();
    }

    /** Starts Checkout (payment mode) for money credits in the billing currency. */
    public String creditsCheckout(Viewer viewer, @Nullable String organizationId, @Nullable BigDecimal amount) {
        Organization organization = payingOrganization(viewer, organizationId);
        String currency = organization.billingCurrency();
        int digits = Math.max(Currency.getInstance(currency).getDefaultFractionDigits(), 0);
        if (amount == null || amount.signum() <= 0) {
            throw BillingErrors.field("amount", BillingErrorCode.OUT_OF_RANGE, "The amount must be more than zero");
        }
        if (amount.compareTo(configuration.creditPurchaseMaximum()) > 0) {
            throw BillingErrors.field("amount", BillingErrorCode.OUT_OF_RANGE, "One purchase can be at most "
                    + configuration.creditPurchaseMaximum().toPlainString() + " " + currency);
        }
        if (amount.stripTrailingZeros().scale() > digits) {
            throw BillingErrors.field("amount", BillingErrorCode.INVALID, currency + " amounts have at most " + digits + " decimals");
        }
        Money price = new Money(amount.setScale(digits), currency);
        String customer = customer(organization);
        StripeGateway.Redirect session = stripe.createCheckoutSession(payment(organization, customer, CheckoutKind.CREDITS, Map.of(), "Meterline credits", price),
                idempotencyKey("checkout"));
        store.insertCheckout(organization.id(), session.sessionId(), CheckoutKind.CREDITS, null, null, price.amount(), currency, viewer.email(), clock.instant());
        return session.url();
    }

    /** Opens the Billing Portal: home, or its subscription update or cancel flow. */
    public String portal(Viewer viewer, @Nullable String organizationId, PortalFlow flow) {
        Organization organization = payingOrganization(viewer, organizationId);
        Optional<BillingStore.SubscriptionRow> live = store.subscription(organization.id()).filter(row -> row.status().holdsPlan());
        if (flow != PortalFlow.HOME && live.isEmpty()) {
            throw BillingErrors.field("flow", BillingErrorCode.INVALID_STATE, "The organization has no paid subscription to manage; choose a plan first");
        }
        String customer = customer(organization);
        com.stripe.param.billingportal.SessionCreateParams.Builder params = com.stripe.param.billingportal.SessionCreateParams.builder()
                .setCustomer(customer).setReturnUrl(configuration.portalReturnUrl());
        if (flow == PortalFlow.SUBSCRIPTION_UPDATE) {
            params.setFlowData(com.stripe.param.billingportal.SessionCreateParams.FlowData.builder()
                    .setType(com.stripe.param.billingportal.SessionCreateParams.FlowData.Type.SUBSCRIPTION_UPDATE)
                    .setSubscriptionUpdate(com.stripe.param.billingportal.SessionCreateParams.FlowData.SubscriptionUpdate.builder()
                            .setSubscription(live.get().stripeSubscriptionId()).build()).build());
        }
        else if (flow == PortalFlow.SUBSCRIPTION_CANCEL) {
            params.setFlowData(com.stripe.param.billingportal.SessionCreateParams.FlowData.builder()
                    .setType(com.stripe.param.billingportal.SessionCreateParams.FlowData.Type.SUBSCRIPTION_CANCEL)
                    .setSubscriptionCancel(com.stripe.param.billingportal.SessionCreateParams.FlowData.SubscriptionCancel.builder()
                            .setSubscription(live.get().stripeSubscriptionId()).build()).build());
        }
        return stripe.createPortalSession(params.build(), idempotencyKey("portal")).url();
    }

    /** A plan change of a live subscription: the portal's confirmation of exactly that price, or its update flow when the item is not known yet. */
    private String portal(Organization organization, String customer, BillingStore.SubscriptionRow live, Plan plan) {
        com.stripe.param.billingportal.SessionCreateParams.FlowData.Builder flow = com.stripe.param.billingportal.SessionCreateParams.FlowData.builder();
        if (live.stripeSubscriptionItemId() != null) {
            flow.setType(com.stripe.param.billingportal.SessionCreateParams.FlowData.Type.SUBSCRIPTION_UPDATE_CONFIRM)
                    .setSubscriptionUpdateConfirm(com.stripe.param.billingportal.SessionCreateParams.FlowData.SubscriptionUpdateConfirm.builder()
                            .setSubscription(live.stripeSubscriptionId())
                            .addItem(com.stripe.param.billingportal.SessionCreateParams.FlowData.SubscriptionUpdateConfirm.Item.builder()
                                    .setId(live.stripeSubscriptionItemId()).setPrice(plan.stripePriceId()).setQuantity(1L).build())
                            .build());
        }
        else {
            flow.setType(com.stripe.param.billingportal.SessionCreateParams.FlowData.Type.SUBSCRIPTION_UPDATE)
                    .setSubscriptionUpdate(com.stripe.param.billingportal.SessionCreateParams.FlowData.SubscriptionUpdate.builder()
                            .setSubscription(live.stripeSubscriptionId()).build());
        }
        com.stripe.param.billingportal.SessionCreateParams params = com.stripe.param.billingportal.SessionCreateParams.builder()
                .setCustomer(customer).setReturnUrl(configuration.portalReturnUrl()).setFlowData(flow.build()).build();
        LOG.info("Organization {} changes its subscription {} to plan {} in the Billing Portal", organization.id(), live.stripeSubscriptionId(), plan.id());
        return stripe.createPortalSession(params, idempotencyKey("portal")).url();
    }

    private com.stripe.param.checkout.SessionCreateParams.Builder checkoutBase(Organization organization, String customer, CheckoutKind kind, Map<String, String> extra) {
        return com.stripe.param.checkout.SessionCreateParams.builder()
                .setCustomer(customer)
                .setClientReferenceId(organization.id().toString())
                .putAllMetadata(metadata(organization, kind, extra))
                .setSuccessUrl(configuration.successUrl())
                .setCancelUrl(configuration.cancelUrl());
    }

    private com.stripe.param.checkout.SessionCreateParams payment(Organization organization, String customer, CheckoutKind kind, Map<String, String> extra,
                                                                  String productName, Money price) {
        return checkoutBase(organization, customer, kind, extra)
                .setMode(com.stripe.param.checkout.SessionCreateParams.Mode.PAYMENT)
                .addLineItem(com.stripe.param.checkout.SessionCreateParams.LineItem.builder().setQuantity(1L)
                        .setPriceData(com.stripe.param.checkout.SessionCreateParams.LineItem.PriceData.builder()
                                .setCurrency(price.currencyCode().toLowerCase(Locale.ROOT))
                                .setUnitAmount(minorUnits(price))
                                .setProductData(com.stripe.param.checkout.SessionCreateParams.LineItem.PriceData.ProductData.builder().setName(productName).build())
                                .build())
                        .build())
                .setPaymentIntentData(com.stripe.param.checkout.SessionCreateParams.PaymentIntentData.builder()
                        .putAllMetadata(metadata(organization, kind, extra)).build())
                .build();
    }

    private static Map<String, String> metadata(Organization organization, CheckoutKind kind, Map<String, String> extra) {
        return Stream.concat(Map.of(METADATA_ORGANIZATION_ID, organization.id().toString(), METADATA_CHECKOUT_KIND, kind.name()).entrySet().stream(),
                extra.entrySet().stream()).collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** Stripe amounts are integers in the currency's smallest unit (cents; yen as they are). */
    static long minorUnits(Money price) {
        int digits = Math.max(Currency.getInstance(price.currencyCode()).getDefaultFractionDigits(), 0);
        return price.amount().movePointRight(digits).longValueExact();
    }

    /**
     * A fresh key per action: stripe-java retries this request with it, and a second click is a new
     * session, as Stripe recommends for Checkout.
     */
    private static String idempotencyKey(String action) {
        return "meterline-" + action + "-" + UUID.randomUUID();
    }

    /**
     * The organization's Stripe customer, created when first needed with a key made from our id
     * (two admins at once, or a retry after a lost answer, get the same customer), and updated when
     * the BILL TO details changed since they were last sent.
     */
    private String customer(Organization organization) {
        CustomerDetails details = CustomerDetails.of(organization, companyDetails.findById(organization.id()).orElse(null));
        String fingerprint = details.fingerprint();
        Optional<BillingStore.CustomerRow> row = store.customer(organization.id());
        Instant now = clock.instant();
        if (row.isEmpty()) {
            CustomerCreateParams.Builder params = CustomerCreateParams.builder().setName(details.name())
                    .putMetadata(METADATA_ORGANIZATION_ID, organization.id().toString());
            if (details.email() != null) {
                params.setEmail(details.email());
            }
            if (details.phone() != null) {
                params.setPhone(details.phone());
            }
            if (details.country() != null) {
                params.setAddress(CustomerCreateParams.Address.builder().setLine1(details.line1()).setLine2(details.line2()).setCity(details.city())
                        .setState(details.region()).setPostalCode(details.postalCode()).setCountry(details.country()).build());
            }
            String id = stripe.createCustomer(params.build(), "meterline-customer-" + organization.id());
            return store.insertCustomer(organization.id(), id, fingerprint, now).stripeCustomerId();
        }
        if (!row.get().detailsFingerprint().equals(fingerprint)) {
            CustomerUpdateParams.Builder params = CustomerUpdateParams.builder().setName(details.name());
            if (details.email() != null) {
                params.setEmail(details.email());
            }
            else {
                params.setEmail(EmptyParam.EMPTY);
            }
            if (details.phone() != null) {
                params.setPhone(details.phone());
            }
            else {
                params.setPhone(EmptyParam.EMPTY);
            }
            if (details.country() != null) {
                params.setAddress(CustomerUpdateParams.Address.builder().setLine1(details.line1()).setLine2(details.line2()).setCity(details.city())
                        .setState(details.region()).setPostalCode(details.postalCode()).setCountry(details.country()).build());
            }
            stripe.updateCustomer(row.get().stripeCustomerId(), params.build(), "meterline-customer-" + organization.id() + "-" + fingerprint);
            store.updateCustomerFingerprint(organization.id(), fingerprint, now);
        }
        return row.get().stripeCustomerId();
    }

    /** What the Stripe customer holds of the BILL TO details (the company's name, else the organization's). */
    record CustomerDetails(String name, @Nullable String email, @Nullable String phone, @Nullable String line1, @Nullable String line2,
                           @Nullable String city, @Nullable String region, @Nullable String postalCode, @Nullable String country) {

        static CustomerDetails of(Organization organization, @Nullable CompanyDetails details) {
            if (details == null) {
                return new CustomerDetails(organization.name(), null, null, null, null, null, null, null, null);
            }
            return new CustomerDetails(details.companyName(), details.billingEmail(), details.billingPhone(), details.addressLine1(), details.addressLine2(),
                    details.city(), details.region(), details.postalCode(), details.country());
        }

        /** A SHA-256 over every field, so any change (and only a change) updates the customer. */
        String fingerprint() {
            StringBuilder canonical = new StringBuilder();
            for (String value : new String[] {name, email, phone, line1, line2, city, region, postalCode, country}) {
                canonical.append(value == null ? "\u0000" : value).append('\u001f');
            }
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
            }
            catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is missing from this JDK", e);
            }
        }
    }

    /**
     * Applies a subscription state from a {@code customer.subscription.*} event (the webhook inbox
     * calls this). State only moves forward: an event older than the stored state changes nothing.
     * While the subscription holds a plan (trialing, active, past due, unpaid) the organization is
     * on its plan; once it ends (canceled, incomplete_expired, paused) it is on the free baseline at
     * once, and its plan options stay open. Answers whether the state was applied.
     */
    public boolean applySubscription(SubscriptionChange change) {
        Optional<BillingStore.CustomerRow> customer = store.customerByStripeId(change.stripeCustomerId());
        if (customer.isEmpty()) {
            LOG.warn("Stripe subscription {} belongs to customer {}, which no organization has", change.stripeSubscriptionId(), change.stripeCustomerId());
            return false;
        }
        SubscriptionStatus status = SubscriptionStatus.fromStripe(change.status())
                .orElseThrow(() -> new IllegalArgumentException("Stripe subscription status '" + change.status() + "' is unknown to this version"));
        Plan plan = ledger.planByStripePrice(change.stripePriceId())
                .orElseThrow(() -> new IllegalArgumentException("Stripe price " + change.stripePriceId() + " sells no plan: set it on a plan (planUpdate)"));
        long organizationId = customer.get().organizationId();
        BillingStore.SubscriptionRow row = new BillingStore.SubscriptionRow(organizationId, change.stripeSubscriptionId(), change.stripeSubscriptionItemId(),
                plan.id(), status, change.currentPeriodEnd(), change.cancelAtPeriodEnd(), change.eventCreatedAt());
        // One transaction: the stored state and the ledger's plan never disagree, whatever fails.
        return transactions.executeWrite(transaction -> {
            boolean applied = store.saveSubscription(row, clock.instant());
            if (applied) {
                ledger.switchPlan(organizationId, status.holdsPlan() ? plan : ledger.freeBaseline(), status.holdsPlan());
            }
            return applied;
        });
    }

    /**
     * Brings the organization's Stripe customer in step with its BILL TO details, when it has one
     * and they changed since they were last sent; does nothing without Stripe or a customer (the
     * customer is created, with the details, when first needed).
     */
    /** The organization's Stripe customer, created (or brought in step with the BILL TO details) first when needed. */
    public String stripeCustomer(long organizationId) {
        return customer(organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound("Organization")));
    }

    public void syncCustomer(long organizationId) {
        if (!stripe.configured() || store.customer(organizationId).isEmpty()) {
            return;
        }
        customer(organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound("Organization")));
    }

    /**
     * Records a Stripe customer that already exists for an organization (the demo's, or one an
     * operator moved from another system), as if we had created it with today's BILL TO details.
     */
    public void recordExistingCustomer(long organizationId, String stripeCustomerId) {
        Organization organization = organizations.findById(organizationId).orElseThrow(() -> MeterlineException.notFound("Organization"));
        String fingerprint = CustomerDetails.of(organization, companyDetails.findById(organizationId).orElse(null)).fingerprint();
        store.insertCustomer(organizationId, stripeCustomerId, fingerprint, clock.instant());
    }

    /** Records the payment method on file (the webhook inbox calls this from customer or payment method events). */
    public void applyPaymentMethod(String stripeCustomerId, @Nullable String brand, @Nullable String last4) {
        store.customerByStripeId(stripeCustomerId).ifPresent(customer -> store.updatePaymentMethod(customer.organizationId(), brand, last4, clock.instant()));
    }

    /** What a Checkout Session we created sells; empty for sessions not ours. */
    public Optional<BillingStore.CheckoutRow> checkout(String stripeSessionId) {
        return store.checkout(stripeSessionId);
    }
}
