package io.meterline.platform.webhook;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.ParseException;

/**
 * The class of a failed delivery attempt, the only thing the delivery log keeps. Never an exception's message: those
 * quote what the peer sent (a database's handshake, an internal page), which would let an admin read internal services.
 */
public enum WebhookFailure {
    /** No answer within {@code meterline.webhooks.timeout}, connecting included. */
    TIMEOUT("Timeout"),
    /** Nothing accepted the connection. */
    CONNECTION_REFUSED("Connection refused"),
    /** The TLS handshake failed: an untrusted or mismatched certificate, or a peer that does not speak TLS. */
    TLS_FAILURE("TLS failure"),
    /** DNS has no address for the host. */
    DNS_FAILURE("DNS failure"),
    /** The host resolved to an address webhooks may not reach (private, loopback, ...). */
    ADDRESS_NOT_ALLOWED("Address not allowed"),
    /** The peer answered something other than HTTP, or closed without answering. */
    INVALID_RESPONSE("Invalid HTTP response"),
    /** Any other network failure, such as a reset connection. */
    CONNECTION_FAILED("Connection failed");

    private final String label;

    WebhookFailure(String label) {
        this.label = label;
    }

    /** What the delivery log shows. */
    public String label() {
        return label;
    }

    /** What {@code lastError} says for an answer outside 2xx. */
    public static String httpStatus(int statusCode) {
        return "HTTP status " + statusCode;
    }

    /** The class of an I/O failure, judged by the exception and its causes. */
    static WebhookFailure of(IOException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            WebhookFailure known = known(cause);
            if (known != null) {
                return known;
            }
        }
        return CONNECTION_FAILED;
    }

    private static WebhookFailure known(Throwable failure) {
        if (failure instanceof WebhookDnsResolver.AddressNotAllowedException) {
            return ADDRESS_NOT_ALLOWED;
        }
        if (failure instanceof UnknownHostException) {
            return DNS_FAILURE;
        }
        // Socket and connect timeouts, and the attempt's deadline cancelling the request.
        if (failure instanceof InterruptedIOException) {
            return TIMEOUT;
        }
        if (failure instanceof ConnectException) {
            return CONNECTION_REFUSED;
        }
        if (failure instanceof SSLException) {
            return TLS_FAILURE;
        }
        if (failure instanceof NoHttpResponseException || failure instanceof ClientProtocolException || failure instanceof HttpException
                || failure instanceof MalformedChunkCodingException || failure instanceof ParseException) {
            return INVALID_RESPONSE;
        }
        return null;
    }
}
