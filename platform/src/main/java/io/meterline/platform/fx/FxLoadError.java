package io.meterline.platform.fx;

/**
 * Why a load of the ECB's rates failed; the schema's {@code FxLoadError}. Only this class is kept and
 * shown, never text from the answer, which an attacker between us and the ECB could write.
 */
public enum FxLoadError {
    /** The server answered with a status other than 200. */
    HTTP_STATUS,
    /** No answer in time ({@code meterline.fx.timeout}). */
    TIMEOUT,
    /** The server could not be reached (DNS, connection refused, TLS). */
    UNREACHABLE,
    /** The answer is not the ECB's reference rates XML: not XML, a DOCTYPE, a bad date, currency or rate, a future day, too large. */
    MALFORMED,
    /** The answer is well formed but holds no rate. */
    NO_RATES
}
