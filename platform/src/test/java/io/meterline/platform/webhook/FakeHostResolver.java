package io.meterline.platform.webhook;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DNS a test changes between saving an endpoint and delivering to it (DNS rebinding, a vanishing name). It replaces
 * the system resolver only in a test class that sets {@link #ENABLE}; names it was not told about go to the system.
 */
@Singleton
@Replaces(SystemHostResolver.class)
@Requires(property = FakeHostResolver.ENABLE)
public class FakeHostResolver implements HostResolver {

    public static final String ENABLE = "meterline.test.fake-host-resolver";

    /** A name with no answer: DNS says it does not exist. */
    private static final List<InetAddress> NOT_FOUND = List.of();

    private final SystemHostResolver system = new SystemHostResolver();
    private final Map<String, List<InetAddress>> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();

    /** From now on {@code host} resolves to these address literals. */
    public void answer(String host, String... addresses) {
        answers.put(host, java.util.Arrays.stream(addresses).map(address -> WebhookAddressPolicy.literal(address).orElseThrow()).toList());
    }

    /** From now on DNS does not know {@code host}. */
    public void unknown(String host) {
        answers.put(host, NOT_FOUND);
    }

    /** How often {@code host} was looked up. */
    public int lookups(String host) {
        AtomicInteger count = lookups.get(host);
        return count == null ? 0 : count.get();
    }

    @Override
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        lookups.computeIfAbsent(host, key -> new AtomicInteger()).incrementAndGet();
        List<InetAddress> answer = answers.get(host);
        if (answer == null) {
            return system.resolve(host);
        }
        if (answer.isEmpty()) {
            throw new UnknownHostException(host);
        }
        return answer;
    }
}
