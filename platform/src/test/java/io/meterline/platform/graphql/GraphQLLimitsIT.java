package io.meterline.platform.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meterline.platform.support.ServerTest;
import io.meterline.platform.support.TestApi;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Depth and cost limits, error codes, paging bounds, and the event-loop guard. */
class GraphQLLimitsIT extends ServerTest {

    @Test
    void everyResponseReportsItsCost() {
        TestApi.Response response = api.graphql(api.adminToken(), "{ organizations(first: 50) { nodes { apiKeys(first: 10) { nodes { prefix } } } } }");
        assertThat(response.at("errors")).isNull();
        // nodes x 50, each with apiKeys x 10 around prefix: ((1 + 1) x 10 + 1) x 50 + 1 ... reported, not guessed by the client.
        assertThat(((Number) response.at("extensions.cost.requestedQueryCost")).longValue()).isGreaterThan(500);
        assertThat(response.at("extensions.cost.maximumAvailable")).isEqualTo(5000);
    }

    @Test
    void tooExpensiveQueriesAreRefusedBeforeTheyRun() {
        TestApi.Response response = api.graphql(api.adminToken(),
                "{ organizations(first: 100) { nodes { users(first: 100) { nodes { email } } } } }");
        assertThat(response.at("errors.0.extensions.code")).isEqualTo("QUERY_TOO_COMPLEX");
        assertThat(response.at("data")).isNull();
    }

    @Test
    void tooDeepQueriesAreRefused() {
        String deep = "{ viewer { user { organization { users { nodes { organization { users { nodes { organization { users { nodes { organization { name } } } } } } } } } } } } }";
        TestApi.Response response = api.graphql(api.adminToken(), deep);
        assertThat(response.at("errors.0.extensions.code")).isEqualTo("QUERY_TOO_COMPLEX");
        assertThat(response.at("errors.0.extensions.maxDepth")).isEqualTo(12);
    }

    @Test
    void introspectionIsAllowedForSignedInUsersDespiteItsDepth() {
        String introspection = "{ __schema { types { name fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } } }";
        TestApi.Response response = api.graphql(api.adminToken(), introspection);
        assertThat(response.at("errors")).isNull();
        assertThat(response.body()).contains("UsageSummary");
    }

    @Test
    void pagesAreBoundedAndErrorsCarryCodes() {
        String token = api.adminToken();
        assertThat(api.graphql(token, "{ organizations(first: 101) { totalCount } }").at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(api.graphql(token, "{ organizations(first: 0) { totalCount } }").at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(api.graphql(token, "{ organizations(after: \"garbage\") { totalCount } }").at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(api.graphql(token, "{ noSuchField }").at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(api.graphql(token, "{ viewer { ").at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(api.graphql(token, "{ node(id: \"bm9wZQ\") { id } }").at("errors.0.extensions.code")).isEqualTo("NOT_FOUND");
    }

    @Test
    void aDocumentIsParsedAndValidatedOnceWhateverItsVariables() {
        DocumentCache documents = server.getApplicationContext().getBean(DocumentCache.class);
        String token = api.adminToken();
        String query = "query($n: Int) { organizations(first: $n) { totalCount } } # " + System.nanoTime();
        long before = documents.size();
        assertThat(api.graphql(token, query, Map.of("n", 5)).at("errors")).isNull();
        assertThat(documents.size()).isEqualTo(before + 1);
        // The same text again, with variables the page bound refuses: one document kept, and every run still checked.
        assertThat(api.graphql(token, query, Map.of("n", 101)).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        assertThat(api.graphql(token, query, Map.of("n", 7)).at("errors")).isNull();
        // An invalid document is kept with its errors, and answers them each time.
        String invalid = "{ noSuchField } # " + System.nanoTime();
        for (int i = 0; i < 2; i++) {
            assertThat(api.graphql(token, invalid).at("errors.0.extensions.code")).isEqualTo("BAD_USER_INPUT");
        }
        assertThat(documents.size()).isEqualTo(before + 2);
    }

    @Test
    void dataFetchersRefuseToRunOnAnEventLoopThread() throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread eventLoop = new Thread(() -> {
            try {
                RequestGuard.requireOffEventLoop();
            }
            catch (IllegalStateException e) {
                failure.set(e);
            }
        }, "default-nioEventLoopGroup-1-1");
        eventLoop.start();
        eventLoop.join();
        assertThat(failure.get()).hasMessageContaining("event loop");
        // Requests themselves run on the blocking executor, so the guard never trips in service.
        assertThat(api.graphql(api.adminToken(), "{ providers { id } }").at("errors")).isNull();
        assertThatThrownBy(() -> {
            Thread.currentThread().setName("test-nioEventLoopGroup-x");
            try {
                RequestGuard.requireOffEventLoop();
            }
            finally {
                Thread.currentThread().setName("main");
            }
        }).isInstanceOf(IllegalStateException.class);
    }
}
