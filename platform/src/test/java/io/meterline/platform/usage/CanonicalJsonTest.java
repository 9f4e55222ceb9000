package io.meterline.platform.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterline.platform.security.Secrets;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Golden values: the canonical text of an event's tags is stored and hashed into the event's content hash
 * ({@code UsagePricer}), so a replayed event is told from a conflicting one. Any change to key order, number
 * or string writing changes stored hashes and must fail here. The texts were derived from the code (TreeMap
 * key order, stripped plain decimals, {@code JsonStrings.quote}); the SHA-256 values were computed apart from
 * Java (Python's hashlib over the UTF-8 of the same texts).
 */
class CanonicalJsonTest {

    static void assertGolden(Object value, String canonical, String sha256) {
        String written = CanonicalJson.write(value);
        assertThat(written).isEqualTo(canonical);
        assertThat(Secrets.sha256(written)).isEqualTo(sha256);
    }

    @Test
    void keysAreSortedAtEveryDepthAndListsKeepTheirOrder() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", "1");
        inner.put("y", 2);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("b", inner);
        value.put("a", Arrays.asList(true, null, "x", new BigDecimal("1.50"), 0L));
        assertGolden(value, "{\"a\":[true,null,\"x\",1.5,0],\"b\":{\"y\":2,\"z\":\"1\"}}",
                "cef4e78469961f1787a78e51b2de67a7dc22133fac0a09bc551094658e118dbc");
        // The same content in any insertion order is the same text.
        Map<String, Object> reordered = new TreeMap<>(Map.of("a", Arrays.asList(true, null, "x", 1.5, 0), "b", new HashMap<>(Map.of("y", 2, "z", "1"))));
        assertThat(CanonicalJson.write(reordered)).isEqualTo(CanonicalJson.write(value));
    }

    @Test
    void keysSortByUtf16CodeUnitsAsJavaStringsCompare() {
        Map<String, Object> value = new HashMap<>();
        value.put("\uff5a", 6);        // fullwidth z, U+FF5A: after the surrogate pair below in UTF-16 order (not in code point order)
        value.put("\ud83d\ude00", 5);  // U+1F600
        value.put("\u00e9", 4);
        value.put("a", 3);
        value.put("_", 2);
        value.put("B", 1);
        assertGolden(value, "{\"B\":1,\"_\":2,\"a\":3,\"\u00e9\":4,\"\ud83d\ude00\":5,\"\uff5a\":6}",
                "160cf5c0cea5faa05f1473248c92d92359b008d9aa12f1f02dca3149d56d95fa");
    }

    @Test
    void numbersArePlainDecimalsWithoutTrailingZerosOrExponents() {
        List<Object> numbers = List.of(new BigDecimal("0.000"), 0, new BigDecimal("1E+3"), new BigDecimal("-2.50"), 0.1,
                new BigDecimal("12345678901234567890.0000000010"), 1e-9, Long.MAX_VALUE);
        assertGolden(Map.of("n", numbers), "{\"n\":[0,0,1000,-2.5,0.1,12345678901234567890.000000001,0.000000001,9223372036854775807]}",
                "8b1c8f10c2f3f11833786dedd40e562f0e87c9f4ed185f8562bfa4ee55259503");
    }

    @Test
    void stringsEscapeQuotesBackslashesAndControlsAndKeepEverythingElse() {
        String text = "quote\" backslash\\ nl\n cr\r tab\t ctl\u0001\u001f del\u007f slash/ \u00e9 \ud83d\ude00";
        assertGolden(Map.of("s", text),
                "{\"s\":\"quote\\\" backslash\\\\ nl\\n cr\\r tab\\t ctl\\u0001\\u001f del\u007f slash/ \u00e9 \ud83d\ude00\"}",
                "a49b1233f070195d976e9c451b70616fa824433a333abffc2e22eeae62b85b8f");
    }

    @Test
    void emptyContainersAndNull() {
        assertThat(CanonicalJson.write(Map.of())).isEqualTo("{}");
        assertThat(CanonicalJson.write(List.of())).isEqualTo("[]");
        assertThat(CanonicalJson.write(null)).isEqualTo("null");
        assertThat(CanonicalJson.write(Map.of("k", false))).isEqualTo("{\"k\":false}");
    }
}
