package io.meterline.platform.budget;

import io.meterline.platform.alert.AlertRequest;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects the alert requests a server publishes, as the alert feature would receive them. */
@Singleton
public class AlertCollector {

    private final List<AlertRequest> received = new CopyOnWriteArrayList<>();

    @EventListener
    void onAlert(AlertRequest alert) {
        received.add(alert);
    }

    public List<AlertRequest> forOrganization(long organizationId) {
        return received.stream().filter(alert -> alert.organizationId() == organizationId).toList();
    }
}
