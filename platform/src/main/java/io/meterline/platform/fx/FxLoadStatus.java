package io.meterline.platform.fx;

import io.micronaut.core.annotation.Nullable;
import java.time.Instant;
import java.time.LocalDate;

/**
 * What the ECB loader did last, as every instance sees it (the schema's {@code FxLoadStatus}).
 *
 * @param lastAttemptAt when a load last started
 * @param lastSuccessAt when a load last stored the ECB's answer
 * @param lastFailureAt when a load last gave up after all its attempts
 * @param lastError why that load failed
 * @param lastHttpStatus the status the ECB answered then, for {@link FxLoadError#HTTP_STATUS}
 * @param attempts the attempts of the last finished load
 * @param latestRateDate the newest day stored from the ECB
 * @param ratesStored the rates the last successful load added
 */
public record FxLoadStatus(@Nullable Instant lastAttemptAt, @Nullable Instant lastSuccessAt, @Nullable Instant lastFailureAt,
                           @Nullable FxLoadError lastError, @Nullable Integer lastHttpStatus, int attempts, @Nullable LocalDate latestRateDate,
                           int ratesStored) {

    /** The schema's {@code FxLoadState}. */
    public enum State {
        /** No load has finished yet. */
        NEVER_RUN,
        /** The last finished load stored the ECB's answer. */
        OK,
        /** The last finished load failed after all its attempts; rates stay as they were. */
        FAILED
    }

    public State state() {
        if (lastFailureAt != null && (lastSuccessAt == null || lastFailureAt.isAfter(lastSuccessAt))) {
            return State.FAILED;
        }
        return lastSuccessAt == null ? State.NEVER_RUN : State.OK;
    }
}
