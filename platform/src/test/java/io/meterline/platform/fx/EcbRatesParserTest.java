package io.meterline.platform.fx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** The ECB XML formats, and documents that must be refused whole. */
class EcbRatesParserTest {

    private static final LocalDate TODAY = LocalDate.parse("2026-12-07");

    static String envelope(String cubes) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<gesmes:Envelope xmlns:gesmes=\"http://www.gesmes.org/xml/2002-08-01\" xmlns=\"http://www.ecb.int/vocabulary/2002-08-01/eurofxref\">\n"
                + "\t<gesmes:subject>Reference rates</gesmes:subject>\n\t<gesmes:Sender>\n\t\t<gesmes:name>European Central Bank</gesmes:name>\n\t</gesmes:Sender>\n"
                + "\t<Cube>\n" + cubes + "\t</Cube>\n</gesmes:Envelope>\n";
    }

    private static SortedMap<LocalDate, Map<String, BigDecimal>> parse(String xml) throws FxLoadException {
        return EcbRatesParser.parse(xml.getBytes(StandardCharsets.UTF_8), TODAY);
    }

    private static FxLoadError refusal(String xml) {
        try {
            parse(xml);
        }
        catch (FxLoadException e) {
            return e.error();
        }
        throw new AssertionError("accepted: " + xml);
    }

    @Test
    void readsTheDailyFileWithSingleQuotes() throws FxLoadException {
        SortedMap<LocalDate, Map<String, BigDecimal>> rates = parse(envelope("\t\t<Cube time='2026-12-04'>\n\t\t\t<Cube currency='USD' rate='1.0823'/>\n"
                + "\t\t\t<Cube currency='JPY' rate='162.39'/>\n\t\t\t<Cube currency='IDR' rate='17174.76'/>\n\t\t</Cube>\n"));
        assertThat(rates).containsOnlyKeys(LocalDate.parse("2026-12-04"));
        assertThat(rates.get(LocalDate.parse("2026-12-04"))).containsOnly(Map.entry("USD", new BigDecimal("1.082300000000")),
                Map.entry("JPY", new BigDecimal("162.390000000000")), Map.entry("IDR", new BigDecimal("17174.760000000000")));
    }

    @Test
    void readsTheHistoryFile() throws FxLoadException {
        SortedMap<LocalDate, Map<String, BigDecimal>> rates = parse(envelope(
                "<Cube time=\"2026-12-04\"><Cube currency=\"USD\" rate=\"1.0823\"/></Cube>\n"
                        + "<Cube time=\"2026-12-03\"><Cube currency=\"USD\" rate=\"1.0801\"/><Cube currency=\"CAD\" rate=\"1.5\"/></Cube>\n"));
        assertThat(rates.keySet()).containsExactly(LocalDate.parse("2026-12-03"), LocalDate.parse("2026-12-04"));
        assertThat(rates.get(LocalDate.parse("2026-12-03"))).hasSize(2);
    }

    @Test
    void refusesWholeDocumentsWithAnyBadPart() {
        String good = "<Cube time=\"2026-12-03\"><Cube currency=\"USD\" rate=\"1.0801\"/></Cube>\n";
        assertThat(refusal(envelope(good + "<Cube time=\"2026-12-04\"><Cube currency=\"USD\" rate=\"1,0823\"/></Cube>"))).isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope(good + "<Cube time=\"2026-12-04\"><Cube currency=\"USD\" rate=\"-1.0823\"/></Cube>"))).isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope(good + "<Cube time=\"2026-12-04\"><Cube currency=\"USD\" rate=\"0\"/></Cube>"))).isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope(good + "<Cube time=\"2026-12-04\"><Cube currency=\"USD\" rate=\"1E+400\"/></Cube>"))).isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope(good + "<Cube time=\"2026-12-04\"><Cube currency=\"usd\" rate=\"1.08\"/></Cube>"))).isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope(good + "<Cube time=\"2026-12-04\"><Cube currency=\"EUR\" rate=\"1\"/></Cube>"))).isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope(good + "<Cube time=\"2026-12-08\"><Cube currency=\"USD\" rate=\"1.08\"/></Cube>"))).as("tomorrow").isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope(good + "<Cube time=\"1998-12-31\"><Cube currency=\"USD\" rate=\"1.08\"/></Cube>"))).isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope(good + "<Cube time=\"2026-02-30\"><Cube currency=\"USD\" rate=\"1.08\"/></Cube>"))).isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope(good + "<Cube time=\"2026-12-04\"><Cube currency=\"USD\" rate=\"1.08\"/><Cube currency=\"USD\" rate=\"1.09\"/></Cube>")))
                .isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope(good + good))).as("a day twice").isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope("<Cube currency=\"USD\" rate=\"1.08\"/>"))).as("a rate outside a day").isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope(good).substring(0, envelope(good).length() / 2))).as("truncated").isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal("<html><body>Service unavailable</body></html>")).isEqualTo(FxLoadError.NO_RATES);
        assertThat(refusal("{\"rates\": {}}")).isEqualTo(FxLoadError.MALFORMED);
        assertThat(refusal(envelope("<Cube time=\"2026-12-04\"></Cube>"))).isEqualTo(FxLoadError.NO_RATES);
    }

    @Test
    void refusesEveryDoctypeSoNoEntityIsExpanded() {
        assertThat(refusal("<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
                + envelope("<Cube time=\"2026-12-04\"><Cube currency=\"USD\" rate=\"&xxe;\"/></Cube>").replaceFirst("<\\?xml[^>]*>\n", "")))
                .isEqualTo(FxLoadError.MALFORMED);
        String billionLaughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>\n"
                + "<Cube><Cube time=\"2026-12-04\"><Cube currency=\"USD\" rate=\"1\"/><x>&lol2;</x></Cube></Cube>";
        assertThat(refusal(billionLaughs)).isEqualTo(FxLoadError.MALFORMED);
    }
}
