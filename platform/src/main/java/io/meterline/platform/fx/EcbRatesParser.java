package io.meterline.platform.fx;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads the ECB's reference rates XML, the daily file and the history files alike:
 * {@code <Cube time="2026-12-04"><Cube currency="USD" rate="1.0823"/>...</Cube>}, 1 EUR = rate units.
 *
 * <p>The whole document is checked before anything is returned, so a load stores all of it or nothing.
 * A document with a DOCTYPE is refused before its first element: no DTD is read and no entity, internal
 * or external, is ever expanded (the JDK's StAX parser with DTD support and external entities off).
 */
final class EcbRatesParser {

    private static final String CUBE = "Cube";
    private static final Pattern CODE = Pattern.compile("[A-Z]{3}");

    private EcbRatesParser() {
    }

    /**
     * The rates of a document by day, each day's rates by currency.
     *
     * @param document the XML bytes
     * @param latestDay the newest day a rate may have (the ECB's today); a later one makes the document malformed
     * @throws FxLoadException MALFORMED or NO_RATES
     */
    static SortedMap<LocalDate, Map<String, BigDecimal>> parse(byte[] document, LocalDate latestDay) throws FxLoadException {
        SortedMap<LocalDate, Map<String, BigDecimal>> rates = new TreeMap<>();
        XMLStreamReader reader = null;
        try {
            reader = factory().createXMLStreamReader(new ByteArrayInputStream(document));
            LocalDate day = null;
            int depthInDay = 0;
            while (reader.hasNext()) {
                int event = reader.next();
                if (event == XMLStreamConstants.DTD || event == XMLStreamConstants.ENTITY_REFERENCE) {
                    throw malformed("the document has a DOCTYPE or an entity reference");
                }
                if (event == XMLStreamConstants.START_ELEMENT) {
                    if (day != null) {
                        depthInDay++;
                    }
                    if (!CUBE.equals(reader.getLocalName())) {
                        continue;
                    }
                    String time = reader.getAttributeValue(null, "time");
                    String currency = reader.getAttributeValue(null, "currency");
                    if (time != null) {
                        if (day != null) {
                            throw malformed("a day inside a day");
                        }
                        day = day(time, latestDay);
                        if (rates.containsKey(day)) {
                            throw malformed("a day twice");
                        }
                        rates.put(day, new HashMap<>());
                        depthInDay = 0;
                    }
                    else if (currency != null) {
                        if (day == null) {
                            throw malformed("a rate outside a day");
                        }
                        String code = code(currency);
                        BigDecimal rate = rate(reader.getAttributeValue(null, "rate"));
                        if (rates.get(day).put(code, rate) != null) {
                            throw malformed("a currency twice in a day");
                        }
                    }
                }
                else if (event == XMLStreamConstants.END_ELEMENT && day != null) {
                    if (depthInDay == 0) {
                        day = null;
                    }
                    else {
                        depthInDay--;
                    }
                }
            }
        }
        catch (XMLStreamException | RuntimeException e) {
            throw new FxLoadException(FxLoadError.MALFORMED, null, "the answer is not well-formed reference rates XML", e);
        }
        finally {
            close(reader);
        }
        rates.values().removeIf(Map::isEmpty);
        if (rates.isEmpty()) {
            throw new FxLoadException(FxLoadError.NO_RATES, "the answer holds no rate");
        }
        SortedMap<LocalDate, Map<String, BigDecimal>> frozen = new TreeMap<>();
        rates.forEach((day, byCurrency) -> frozen.put(day, Map.copyOf(byCurrency)));
        return Collections.unmodifiableSortedMap(frozen);
    }

    private static XMLInputFactory factory() {
        // The JDK's own implementation, whatever else is on the classpath, configured against XXE.
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        factory.setXMLResolver((publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("external resources are never read");
        });
        return factory;
    }

    private static LocalDate day(String text, LocalDate latestDay) {
        LocalDate day;
        try {
            day = LocalDate.parse(text.trim());
        }
        catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a day");
        }
        if (day.isAfter(latestDay)) {
            throw new IllegalArgumentException("a day in the future");
        }
        if (day.isBefore(FxService.FIRST_DAY)) {
            throw new IllegalArgumentException("a day before the euro");
        }
        return day;
    }

    private static String code(String text) {
        String code = text.trim();
        if (!CODE.matcher(code).matches() || FxConverter.BASE.equals(code)) {
            throw new IllegalArgumentException("not a currency code");
        }
        return code;
    }

    private static BigDecimal rate(String text) {
        if (text == null) {
            throw new IllegalArgumentException("a rate without a value");
        }
        BigDecimal rate = new BigDecimal(text.trim());
        if (!FxService.isStorableRate(rate)) {
            throw new IllegalArgumentException("a rate out of range");
        }
        return rate.setScale(FxConverter.RATE_SCALE);
    }

    private static FxLoadException malformed(String why) {
        return new FxLoadException(FxLoadError.MALFORMED, "the answer is not the ECB's reference rates XML: " + why);
    }

    private static void close(XMLStreamReader reader) {
        if (reader != null) {
            try {
                reader.close();
            }
            catch (XMLStreamException e) {
                // Nothing is left to release in an in-memory document.
            }
        }
    }
}
