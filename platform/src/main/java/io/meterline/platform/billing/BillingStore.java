package io.meterline.platform.billing;

import io.meterline.platform.common.jdbc.JdbcWork;
import io.meterline.platform.common.jdbc.SqlStates;
import io.meterline.platform.common.jdbc.TimeColumns;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Optional;

/** The billing tables: one Stripe customer and one subscription per organization, and the checkouts we started. */
@Singleton
public class BillingStore {

    private final TransactionOperations<Connection> transactions;

    public BillingStore(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    /**
     * An organization's Stripe customer.
     *
     * @param organizationId the organization
     * @param stripeCustomerId Stripe's {@code cus_...}
     * @param detailsFingerprint the SHA-256 of the BILL TO details last sent to Stripe
     * @param paymentMethodBrand the default payment method's brand ({@code visa}), null when none is known
     * @param paymentMethodLast4 its last four digits, null when none is known
     */
    public record CustomerRow(long organizationId, String stripeCustomerId, String detailsFingerprint, @Nullable String paymentMethodBrand,
                              @Nullable String paymentMethodLast4) {
    }

    /**
     * An organization's Stripe subscription as Stripe last stated it.
     *
     * @param organizationId the organization
     * @param stripeSubscriptionId Stripe's {@code sub_...}
     * @param stripeSubscriptionItemId the item holding the plan's price ({@code si_...}), for plan changes in the portal; null when unknown
     * @param planId the plan its price sells
     * @param status Stripe's status
     * @param currentPeriodEnd when the current period ends: the next billing date; null when unknown
     * @param cancelAtPeriodEnd whether it ends at the period's end
     * @param stateAt when Stripe created the event that set this state
     */
    public record SubscriptionRow(long organizationId, String stripeSubscriptionId, @Nullable String stripeSubscriptionItemId, long planId,
                                  SubscriptionStatus status, @Nullable Instant currentPeriodEnd, boolean cancelAtPeriodEnd, Instant stateAt) {
    }

    /**
     * A Checkout Session we created, and what it sells.
     *
     * @param id the row id
     * @param organizationId the organization that pays
     * @param stripeSessionId Stripe's {@code cs_...}
     * @param kind what it sells
     * @param planId the plan, for SUBSCRIPTION
     * @param tokens the top-up tokens, for TOP_UP
     * @param amount the price charged, in {@code currency}
     * @param currency the currency charged
     * @param status OPEN until the webhook inbox completes or expires it
     * @param createdBy the email of the admin who started it
     * @param createdAt when it was started
     * @param completedAt when the webhook inbox applied it; null before
     */
    public record CheckoutRow(long id, long organizationId, String stripeSessionId, CheckoutKind kind, @Nullable Long planId, @Nullable Long tokens,
                              BigDecimal amount, String currency, String status, String createdBy, Instant createdAt, @Nullable Instant completedAt) {
    }

    /** Checkout statuses (column {@code billing_checkout.status}). */
    public static final String CHECKOUT_OPEN = "OPEN";
    public static final String CHECKOUT_COMPLETED = "COMPLETED";
    public static final String CHECKOUT_FAILED = "FAILED";

    /**
     * A paid payment-mode checkout as a refund reads it, locked for the caller's transaction.
     *
     * @param refundedAmount the refunded total already applied to the ledger, in {@code currency}
     */
    public record PaidCheckout(long id, long organizationId, String stripeSessionId, CheckoutKind kind, @Nullable Long tokens, BigDecimal amount,
                               String currency, BigDecimal refundedAmount) {
    }

    public Optional<CustomerRow> customer(long organizationId) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT organization_id, stripe_customer_id, details_fingerprint,"
                    + " payment_method_brand, payment_method_last4 FROM billing_customer WHERE organization_id = ?")) {
                statement.setLong(1, organizationId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(new CustomerRow(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4), rows.getString(5)))
                            : Optional.empty();
                }
            }
        });
    }

    public Optional<CustomerRow> customerByStripeId(String stripeCustomerId) {
        Optional<Long> organizationId = read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT organization_id FROM billing_customer WHERE stripe_customer_id = ?")) {
                statement.setString(1, stripeCustomerId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
                }
            }
        });
        return organizationId.flatMap(this::customer);
    }

    /**
     * Records the organization's customer. Two admins may create it at once: both got the same
     * customer from Stripe (same idempotency key), so the second insert finding the row is no error.
     */
    public CustomerRow insertCustomer(long organizationId, String stripeCustomerId, String fingerprint, Instant now) {
        try {
            write(connection -> {
                try (PreparedStatement statement = connection.prepareStatement("INSERT INTO billing_customer (organization_id, stripe_customer_id,"
                        + " details_fingerprint, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")) {
                    statement.setLong(1, organizationId);
                    statement.setString(2, stripeCustomerId);
                    statement.setString(3, fingerprint);
                    statement.setObject(4, TimeColumns.toColumn(now));
                    statement.setObject(5, TimeColumns.toColumn(now));
                    statement.executeUpdate();
                }
                return null;
            });
        }
        catch (RuntimeException e) {
            if (!SqlStates.isDuplicateKey(e)) {
                throw e;
            }
        }
        return customer(organizationId).orElseThrow(() -> new IllegalStateException("billing_customer of " + organizationId + " is missing"));
    }

    public void updateCustomerFingerprint(long organizationId, String fingerprint, Instant now) {
        write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("UPDATE billing_customer SET details_fingerprint = ?, updated_at = ? WHERE organization_id = ?")) {
                statement.setString(1, fingerprint);
                statement.setObject(2, TimeColumns.toColumn(now));
                statement.setLong(3, organizationId);
                statement.executeUpdate();
            }
            return null;
        });
    }

    public void updatePaymentMethod(long organizationId, @Nullable String brand, @Nullable String last4, Instant now) {
        write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("UPDATE billing_customer SET payment_method_brand = ?, payment_method_last4 = ?,"
                    + " updated_at = ? WHERE organization_id = ?")) {
                statement.setString(1, brand);
                statement.setString(2, last4);
                statement.setObject(3, TimeColumns.toColumn(now));
                statement.setLong(4, organizationId);
                statement.executeUpdate();
            }
            return null;
        });
    }

    public Optional<SubscriptionRow> subscription(long organizationId) {
        return read(connection -> subscription(connection, organizationId, false));
    }

    private static Optional<SubscriptionRow> subscription(Connection connection, long organizationId, boolean forUpdate) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT organization_id, stripe_subscription_id, stripe_subscription_item_id, plan_id,"
                + " status, current_period_end, cancel_at_period_end, state_at FROM billing_subscription WHERE organization_id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            statement.setLong(1, organizationId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                LocalDateTime periodEnd = rows.getObject(6, LocalDateTime.class);
                return Optional.of(new SubscriptionRow(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getLong(4),
                        SubscriptionStatus.valueOf(rows.getString(5)), periodEnd == null ? null : TimeColumns.fromColumn(periodEnd), rows.getBoolean(7),
                        TimeColumns.fromColumn(rows.getObject(8, LocalDateTime.class))));
            }
        }
    }

    /**
     * Stores a subscription state unless a newer one is stored: answers whether it was applied.
     * The organization's row is locked while deciding, so two events applied at once are ordered.
     */
    public boolean saveSubscription(SubscriptionRow row, Instant now) {
        return write(connection -> {
            try (PreparedStatement lock = connection.prepareStatement("SELECT id FROM organization WHERE id = ? FOR UPDATE")) {
                lock.setLong(1, row.organizationId());
                lock.executeQuery().close();
            }
            Optional<SubscriptionRow> current = subscription(connection, row.organizationId(), true);
            if (current.isPresent() && current.get().stateAt().isAfter(row.stateAt())) {
                return false;
            }
            String sql = current.isPresent()
                    ? "UPDATE billing_subscription SET stripe_subscription_id = ?, stripe_subscription_item_id = ?, plan_id = ?, status = ?, current_period_end = ?,"
                    + " cancel_at_period_end = ?, state_at = ?, updated_at = ? WHERE organization_id = ?"
                    : "INSERT INTO billing_subscription (stripe_subscription_id, stripe_subscription_item_id, plan_id, status, current_period_end,"
                    + " cancel_at_period_end, state_at, updated_at, organization_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, row.stripeSubscriptionId());
                statement.setString(2, row.stripeSubscriptionItemId());
                statement.setLong(3, row.planId());
                statement.setString(4, row.status().name());
                if (row.currentPeriodEnd() == null) {
                    statement.setNull(5, Types.TIMESTAMP);
                }
                else {
                    statement.setObject(5, TimeColumns.toColumn(row.currentPeriodEnd()));
                }
                statement.setBoolean(6, row.cancelAtPeriodEnd());
                statement.setObject(7, TimeColumns.toColumn(row.stateAt()));
                statement.setObject(8, TimeColumns.toColumn(now));
                statement.setLong(9, row.organizationId());
                statement.executeUpdate();
            }
            return true;
        });
    }

    /** Records a Checkout Session Stripe created; answers the row id. */
    public long insertCheckout(long organizationId, String stripeSessionId, CheckoutKind kind, @Nullable Long planId, @Nullable Long tokens,
                               BigDecimal amount, String currency, String createdBy, Instant now) {
        return write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO billing_checkout (organization_id, stripe_session_id, kind, plan_id,"
                    + " tokens, amount, currency, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", PreparedStatement.RETURN_GENERATED_KEYS)) {
                statement.setLong(1, organizationId);
                statement.setString(2, stripeSessionId);
                statement.setString(3, kind.name());
                if (planId == null) {
                    statement.setNull(4, Types.BIGINT);
                }
                else {
                    statement.setLong(4, planId);
                }
                if (tokens == null) {
                    statement.setNull(5, Types.BIGINT);
                }
                else {
                    statement.setLong(5, tokens);
                }
                statement.setBigDecimal(6, amount);
                statement.setString(7, currency);
                statement.setString(8, CHECKOUT_OPEN);
                statement.setString(9, createdBy);
                statement.setObject(10, TimeColumns.toColumn(now));
                statement.executeUpdate();
                try (ResultSet keys = statement.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
    }

    public Optional<CheckoutRow> checkout(String stripeSessionId) {
        return read(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT id, organization_id, stripe_session_id, kind, plan_id, tokens, amount, currency,"
                    + " status, created_by, created_at, completed_at FROM billing_checkout WHERE stripe_session_id = ?")) {
                statement.setString(1, stripeSessionId);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.empty();
                    }
                    long planId = rows.getLong(5);
                    Long plan = rows.wasNull() ? null : planId;
                    long tokenCount = rows.getLong(6);
                    Long tokens = rows.wasNull() ? null : tokenCount;
                    LocalDateTime completed = rows.getObject(12, LocalDateTime.class);
                    return Optional.of(new CheckoutRow(rows.getLong(1), rows.getLong(2), rows.getString(3), CheckoutKind.valueOf(rows.getString(4)), plan, tokens,
                            rows.getBigDecimal(7), rows.getString(8), rows.getString(9), rows.getString(10), TimeColumns.fromColumn(rows.getObject(11, LocalDateTime.class)),
                            completed == null ? null : TimeColumns.fromColumn(completed)));
                }
            }
        });
    }

    /**
     * Marks an OPEN checkout COMPLETED, on the caller's connection (the webhook inbox's transaction
     * that also posts the ledger entries): answers false when it was already completed, so a
     * replayed event posts nothing.
     */
    public static boolean completeCheckout(Connection connection, String stripeSessionId, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("UPDATE billing_checkout SET status = ?, completed_at = ? WHERE stripe_session_id = ? AND status = ?")) {
            statement.setString(1, CHECKOUT_COMPLETED);
            statement.setObject(2, TimeColumns.toColumn(now));
            statement.setString(3, stripeSessionId);
            statement.setString(4, CHECKOUT_OPEN);
            return statement.executeUpdate() == 1;
        }
    }

    /**
     * Completes an OPEN checkout in the caller's transaction and remembers the PaymentIntent that paid
     * it (null for subscription mode): false when it was not OPEN, so a replay posts nothing.
     */
    public boolean complete(String stripeSessionId, @Nullable String paymentIntentId, Instant now) {
        return write(connection -> {
            if (!completeCheckout(connection, stripeSessionId, now)) {
                return false;
            }
            try (PreparedStatement statement = connection.prepareStatement("UPDATE billing_checkout SET stripe_payment_intent_id = ? WHERE stripe_session_id = ?")) {
                statement.setString(1, paymentIntentId);
                statement.setString(2, stripeSessionId);
                statement.executeUpdate();
            }
            return true;
        });
    }

    /** Marks an OPEN checkout FAILED (its delayed payment failed): false when it was not OPEN. */
    public boolean fail(String stripeSessionId) {
        return write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("UPDATE billing_checkout SET status = ? WHERE stripe_session_id = ? AND status = ?")) {
                statement.setString(1, CHECKOUT_FAILED);
                statement.setString(2, stripeSessionId);
                statement.setString(3, CHECKOUT_OPEN);
                return statement.executeUpdate() == 1;
            }
        });
    }

    /** The completed checkout a PaymentIntent paid, locked until the caller's transaction ends (two refund events are applied one after the other). */
    public Optional<PaidCheckout> paidCheckoutForUpdate(String paymentIntentId) {
        return write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("SELECT id, organization_id, stripe_session_id, kind, tokens, amount, currency,"
                    + " refunded_amount FROM billing_checkout WHERE stripe_payment_intent_id = ? AND status = ? FOR UPDATE")) {
                statement.setString(1, paymentIntentId);
                statement.setString(2, CHECKOUT_COMPLETED);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.<PaidCheckout>empty();
                    }
                    long tokenCount = rows.getLong(5);
                    Long tokens = rows.wasNull() ? null : tokenCount;
                    return Optional.of(new PaidCheckout(rows.getLong(1), rows.getLong(2), rows.getString(3), CheckoutKind.valueOf(rows.getString(4)), tokens,
                            rows.getBigDecimal(6), rows.getString(7), rows.getBigDecimal(8)));
                }
            }
        });
    }

    public void updateRefunded(long checkoutId, BigDecimal refundedAmount) {
        write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("UPDATE billing_checkout SET refunded_amount = ? WHERE id = ?")) {
                statement.setBigDecimal(1, refundedAmount);
                statement.setLong(2, checkoutId);
                return statement.executeUpdate();
            }
        });
    }

    /**
     * Sets the stored subscription past due (a renewal payment failed) unless newer state is stored
     * or it has ended: answers whether it changed. The event's time becomes the state's time, so
     * an older subscription event arriving later does not undo it.
     */
    public boolean markPastDue(long organizationId, String stripeSubscriptionId, Instant eventCreatedAt, Instant now) {
        return write(connection -> {
            try (PreparedStatement statement = connection.prepareStatement("UPDATE billing_subscription SET status = ?, state_at = ?, updated_at = ?"
                    + " WHERE organization_id = ? AND stripe_subscription_id = ? AND state_at <= ? AND status IN (?, ?)")) {
                statement.setString(1, SubscriptionStatus.PAST_DUE.name());
                statement.setObject(2, TimeColumns.toColumn(eventCreatedAt));
                statement.setObject(3, TimeColumns.toColumn(now));
                statement.setLong(4, organizationId);
                statement.setString(5, stripeSubscriptionId);
                statement.setObject(6, TimeColumns.toColumn(eventCreatedAt));
                statement.setString(7, SubscriptionStatus.ACTIVE.name());
                statement.setString(8, SubscriptionStatus.TRIALING.name());
                return statement.executeUpdate() == 1;
            }
        });
    }

    private <T> T write(JdbcWork<T> work) {
        return JdbcWork.write(transactions, work);
    }

    private <T> T read(JdbcWork<T> work) {
        return JdbcWork.read(transactions, work);
    }
}
