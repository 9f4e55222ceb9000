package io.meterline.platform.support;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.opentest4j.AssertionFailedError;

/**
 * Waits for another thread's (or instance's) work by polling what it makes observable, with a deadline,
 * instead of sleeping for a guessed time: fast when the work is fast, a clear failure when it never happens.
 * Waiting for time itself to pass is the {@link MutableClock}'s job, not this one's.
 */
public final class Await {

    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /** Returns as soon as the condition holds; fails naming {@code what} once {@code timeout} passed without it. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionFailedError("Waited " + timeout + " for: " + what);
            }
            try {
                Thread.sleep(POLL_MILLIS); // the poll interval, not a wait for the result
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionFailedError("Interrupted while waiting for: " + what, e);
            }
        }
    }
}
