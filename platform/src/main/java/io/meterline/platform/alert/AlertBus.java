package io.meterline.platform.alert;

import org.reactivestreams.Publisher;

/**
 * Carries newly stored alerts to the subscribers of this instance. The in-process bus serves one
 * instance; a shared implementation (Redis) replaces it so every instance's subscribers hear every
 * alert. Subscribers filter by organization themselves: the bus carries everything.
 */
public interface AlertBus {

    /** Delivers a newly stored alert; called once, after the alert committed. */
    void publish(Alert alert);

    /** Every alert published from now on, until the subscriber cancels. */
    Publisher<Alert> subscribe();
}
