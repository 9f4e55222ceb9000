package io.meterline.platform.common;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Opaque global ids: the type name and the row id, base64url encoded, as Relay's {@code Node} expects.
 *
 * @param type the GraphQL type name
 * @param id the row id
 */
public record GlobalId(String type, long id) {

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((type + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    public static String encode(String type, long id) {
        return new GlobalId(type, id).encode();
    }

    /** Decodes any global id, or empty when it is malformed. */
    public static Optional<GlobalId> decode(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                return Optional.empty();
            }
            return Optional.of(new GlobalId(decoded.substring(0, colon), Long.parseLong(decoded.substring(colon + 1))));
        }
        catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Decodes an id that must be of one type.
     *
     * @throws MeterlineException NOT_FOUND when it is malformed or of another type
     */
    public static long require(String value, String type) {
        return decode(value).filter(id -> id.type().equals(type))
                .map(GlobalId::id)
                .orElseThrow(() -> MeterlineException.notFound(type + " " + value));
    }
}
