package io.meterline.platform.billing;

import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.StripeException;
import com.stripe.model.Event;
import com.stripe.model.StripeCollection;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerUpdateParams;
import com.stripe.param.EventListParams;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that calls Stripe. Every call carries an idempotency key, and stripe-java retries
 * a connection failure, a timeout, a 409 or a 5xx with that same key ({@code max-network-retries}),
 * so a retry never creates a second customer or session. Whatever still fails becomes the user
 * error {@code PAYMENT_PROVIDER_ERROR}; Stripe's own message goes to the log, not to the user.
 */
@Singleton
public class StripeGateway {

    private static final Logger LOG = LoggerFactory.getLogger(StripeGateway.class);

    private final Optional<StripeClient> client;

    public StripeGateway(StripeConfiguration configuration) {
        this.client = configuration.configured()
                ? Optional.of(StripeClient.builder()
                        .setApiKey(configuration.secretKey().trim())
                        .setApiBase(configuration.apiBase())
                        .setConnectTimeout(Math.toIntExact(configuration.connectTimeout().toMillis()))
                        .setReadTimeout(Math.toIntExact(configuration.readTimeout().toMillis()))
                        .setMaxNetworkRetries(configuration.maxNetworkRetries())
                        .build())
                : Optional.empty();
    }

    public boolean configured() {
        return client.isPresent();
    }

    /** Creates the organization's customer. */
    public String createCustomer(CustomerCreateParams params, String idempotencyKey) {
        return call("create the Stripe customer", idempotencyKey, (stripe, options) -> stripe.v1().customers().create(params, options)).getId();
    }

    /** Brings the customer's name, email, phone and address in step with the BILL TO details. */
    public void updateCustomer(String customerId, CustomerUpdateParams params, String idempotencyKey) {
        call("update the Stripe customer", idempotencyKey, (stripe, options) -> stripe.v1().customers().update(customerId, params, options));
    }

    /** Creates a Checkout Session; answers its id and the URL to send the browser to. */
    public Redirect createCheckoutSession(com.stripe.param.checkout.SessionCreateParams params, String idempotencyKey) {
        com.stripe.model.checkout.Session session = call("start Stripe Checkout", idempotencyKey,
                (stripe, options) -> stripe.v1().checkout().sessions().create(params, options));
        return new Redirect(session.getId(), session.getUrl());
    }

    /** Creates a Billing Portal session; answers its id and URL. */
    public Redirect createPortalSession(com.stripe.param.billingportal.SessionCreateParams params, String idempotencyKey) {
        com.stripe.model.billingportal.Session session = call("open the Stripe Billing Portal", idempotencyKey,
                (stripe, options) -> stripe.v1().billingPortal().sessions().create(params, options));
        return new Redirect(session.getId(), session.getUrl());
    }

    /**
     * Every event Stripe created after {@code createdAfter} (epoch seconds), all pages, for
     * reconciling what webhooks missed. Read in the API version stripe-java pins, so they apply like
     * webhooks rendered in it. A background job's call: Stripe's failure is thrown, not made a user error.
     */
    public List<Event> eventsCreatedAfter(long createdAfter) throws StripeException {
        StripeClient stripe = client.orElseThrow(BillingErrors::notConfigured);
        EventListParams params = EventListParams.builder()
                .setCreated(EventListParams.Created.builder().setGt(createdAfter).build())
                .setLimit(100L)
                .build();
        StripeCollection<Event> first = stripe.v1().events().list(params);
        List<Event> events = new ArrayList<>();
        for (Event event : first.autoPagingIterable()) {
            events.add(event);
        }
        return events;
    }

    /** Creates a draft invoice (Meterline's invoices are collected through Stripe); answers its id. */
    public String createInvoice(com.stripe.param.InvoiceCreateParams params, String idempotencyKey) {
        return call("create the Stripe invoice", idempotencyKey, (stripe, options) -> stripe.v1().invoices().create(params, options)).getId();
    }

    /** Adds an item to a draft invoice. */
    public void createInvoiceItem(com.stripe.param.InvoiceItemCreateParams params, String idempotencyKey) {
        call("add an item to the Stripe invoice", idempotencyKey, (stripe, options) -> stripe.v1().invoiceItems().create(params, options));
    }

    /** Finalizes a draft invoice, so Stripe collects it. */
    public void finalizeInvoice(String invoiceId, String idempotencyKey) {
        call("finalize the Stripe invoice", idempotencyKey, (stripe, options) -> stripe.v1().invoices()
                .finalizeInvoice(invoiceId, com.stripe.param.InvoiceFinalizeInvoiceParams.builder().build(), options));
    }

    /** Creates a credit note on a Stripe invoice (reducing what an open one owes, or refunding what a paid one received); answers its id. */
    public String createCreditNote(com.stripe.param.CreditNoteCreateParams params, String idempotencyKey) {
        return call("create the Stripe credit note", idempotencyKey, (stripe, options) -> stripe.v1().creditNotes().create(params, options)).getId();
    }

    /** Voids a finalized Stripe invoice, so Stripe stops collecting it. */
    public void voidInvoice(String invoiceId, String idempotencyKey) {
        call("void the Stripe invoice", idempotencyKey, (stripe, options) -> stripe.v1().invoices()
                .voidInvoice(invoiceId, com.stripe.param.InvoiceVoidInvoiceParams.builder().build(), options));
    }

    /** Where Stripe sends the browser: a session's id and its URL. */
    public record Redirect(String sessionId, String url) {
    }

    private interface StripeCall<T> {
        T run(StripeClient stripe, RequestOptions options) throws StripeException;
    }

    private <T> T call(String action, String idempotencyKey, StripeCall<T> work) {
        StripeClient stripe = client.orElseThrow(BillingErrors::notConfigured);
        RequestOptions options = RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
        try {
            T result = work.run(stripe, options);
            if (result == null) {
                throw new IllegalStateException("Stripe answered no object");
            }
            return result;
        }
        catch (ApiConnectionException e) {
            LOG.warn("Stripe did not answer when trying to {} (idempotency key {}): {}", action, idempotencyKey, e.getMessage());
            throw BillingErrors.of(BillingErrorCode.PAYMENT_PROVIDER_ERROR,
                    "Stripe did not answer in time, so we could not " + action + ". Nothing was charged; please try again in a minute.");
        }
        catch (StripeException e) {
            LOG.warn("Stripe refused to {} (status {}, code {}, request {}, idempotency key {}): {}", action, e.getStatusCode(), e.getCode(),
                    e.getRequestId(), idempotencyKey, e.getMessage());
            boolean ours = e.getStatusCode() != null && e.getStatusCode() >= 400 && e.getStatusCode() < 500;
            throw BillingErrors.of(BillingErrorCode.PAYMENT_PROVIDER_ERROR, ours
                    ? "Stripe refused the request, so we could not " + action + ". Nothing was charged; the operator can find it in the server log"
                    + " (Stripe request " + e.getRequestId() + ")."
                    : "Stripe failed, so we could not " + action + ". Nothing was charged; please try again in a minute.");
        }
        catch (RuntimeException e) {
            // stripe-java throws unchecked errors for answers it cannot read (a proxy's HTML page, say).
            LOG.warn("Stripe's answer could not be read when trying to {} (idempotency key {})", action, idempotencyKey, e);
            throw BillingErrors.of(BillingErrorCode.PAYMENT_PROVIDER_ERROR,
                    "Stripe's answer could not be read, so we could not " + action + ". Nothing was charged; please try again in a minute.");
        }
    }
}
