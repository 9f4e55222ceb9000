package io.meterline.platform.common;

/** JSON string literals written by hand, for writers that build no tree: canonical hashing and streamed exports. */
public final class JsonStrings {

    private JsonStrings() {
    }

    /** Appends {@code value} as a JSON string (RFC 8259: quotes, backslashes and control characters escaped). */
    public static void quote(String value, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    }
                    else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
