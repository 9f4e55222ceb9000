package io.meterline.platform.graphql;

import io.meterline.platform.common.UserInputException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Builds mutation payloads: the changed object(s) and {@code userErrors}. */
public final class Payloads {

    private Payloads() {
    }

    /** Runs a mutation whose payload holds one object under {@code field}. */
    public static Map<String, Object> of(String field, Supplier<Object> mutation) {
        return fields(() -> {
            Map<String, Object> result = new HashMap<>();
            result.put(field, mutation.get());
            return result;
        });
    }

    /** Runs a mutation that returns several payload fields; on refused input they stay null and userErrors says why. */
    public static Map<String, Object> fields(Supplier<Map<String, Object>> mutation) {
        Map<String, Object> payload = new HashMap<>();
        try {
            payload.putAll(mutation.get());
            payload.put("userErrors", List.of());
        }
        catch (UserInputException e) {
            payload.put("userErrors", e.errors());
        }
        return payload;
    }
}
