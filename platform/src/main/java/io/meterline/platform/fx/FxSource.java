package io.meterline.platform.fx;

/** Where a stored rate came from; the schema's {@code FxRateSource}. */
public enum FxSource {
    /** The European Central Bank's reference rates, read by {@link EcbLoader}. */
    ECB,
    /** Set by a platform admin with {@code fxRateSet}. */
    MANUAL,
    /** From the past rates shipped with the server ({@link BundledRates}). */
    BUNDLED
}
