package io.meterline.platform.usage;

import io.meterline.platform.common.JsonStrings;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes JSON with sorted keys and plain numbers, so equal content always gives equal text (and hash). */
final class CanonicalJson {

    private CanonicalJson() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        append(out, value);
        return out.toString();
    }

    private static void append(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        }
        else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : new TreeMap<>(map).entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                JsonStrings.quote(String.valueOf(entry.getKey()), out);
                out.append(':');
                append(out, entry.getValue());
            }
            out.append('}');
        }
        else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                append(out, list.get(i));
            }
            out.append(']');
        }
        else if (value instanceof BigDecimal number) {
            out.append(number.signum() == 0 ? "0" : number.stripTrailingZeros().toPlainString());
        }
        else if (value instanceof Number number) {
            append(out, new BigDecimal(number.toString()));
        }
        else if (value instanceof Boolean bool) {
            out.append(bool);
        }
        else {
            JsonStrings.quote(value.toString(), out);
        }
    }
}
