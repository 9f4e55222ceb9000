package io.meterline.platform.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.support.Fixtures;
import io.meterline.platform.support.Rows;
import io.meterline.platform.support.ServerTest;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.type.Argument;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Two instances on one database raise the same crossings at the same moment: each is stored once, numbered without clashes. */
class AlertTwoInstancesIT extends ServerTest {

    @Inject
    TransactionOperations<Connection> transactions;

    @Inject
    ApplicationEventPublisher<AlertRequest> alertRequests;

    @Test
    void theSameCrossingsRaisedOnTwoInstancesAreStoredOnce() throws Exception {
        Fixtures.Tenant tenant = Fixtures.tenant(api, "two-alerts", "UTC");
        long organizationId = GlobalId.decode(tenant.organizationId()).orElseThrow().id();
        try (EmbeddedServer second = startSecondInstance(Map.of())) {
            ApplicationEventPublisher<AlertRequest> otherRequests = second.getApplicationContext()
                    .getBean(Argument.of(ApplicationEventPublisher.class, AlertRequest.class));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            try {
                for (int round = 0; round < 4; round++) {
                    for (int crossing = 0; crossing < 10; crossing++) {
                        ApplicationEventPublisher<AlertRequest> target = round % 2 == 0 ? alertRequests : otherRequests;
                        AlertRequest request = new AlertRequest(organizationId, "BUDGET_THRESHOLD", "WARNING", "budget:3:2026-11:" + crossing, "Budget", "Crossed", Map.of());
                        done.add(pool.submit(() -> {
                            start.await();
                            target.publishEvent(request);
                            return null;
                        }));
                    }
                }
                start.countDown();
                for (Future<?> future : done) {
                    future.get();
                }
            }
            finally {
                pool.shutdownNow();
            }
        }
        Rows rows = new Rows(transactions);
        assertThat(rows.count("SELECT COUNT(*) FROM alert WHERE organization_id = ?", organizationId)).isEqualTo(10);
        assertThat(rows.count("SELECT COUNT(DISTINCT sequence_number) FROM alert WHERE organization_id = ?", organizationId)).isEqualTo(10);
        assertThat(rows.count("SELECT MAX(sequence_number) FROM alert WHERE organization_id = ?", organizationId)).isEqualTo(10);
    }
}
