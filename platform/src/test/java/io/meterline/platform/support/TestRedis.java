package io.meterline.platform.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.UUID;

/**
 * The local Redis (CI starts one on 127.0.0.1:6379), for tests of what crosses instances. Each
 * test class gets a prefix of its own, so runs sharing one Redis never see each other's keys.
 */
public final class TestRedis {

    public static final String URI = "redis://127.0.0.1:6379";

    private TestRedis() {
    }

    /** Whether a Redis answers on the local port. */
    public static boolean listens() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 6379), 500);
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }

    /** Server properties that put the bus and the reservation book in the local Redis under a fresh prefix; empty without Redis. */
    public static Map<String, String> properties() {
        return listens() ? Map.of("redis.uri", URI, "meterline.redis.prefix", "meterline-test-" + UUID.randomUUID() + ":") : Map.of();
    }
}
