package io.meterline.platform.fx;

import io.meterline.platform.common.Money;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Brings sums a query added up, one per currency, into one currency for a report: each sum converted
 * once by {@link FxConverter} at the rate of one day (the last day of the range read), then added.
 * A reporting conversion: nothing stored is rewritten, and a sum no rate converts yet is handed back
 * apart, never counted as 0.
 */
@Singleton
public class ReportConverter {

    private final FxConverter converter;

    public ReportConverter(FxConverter converter) {
        this.converter = converter;
    }

    /**
     * Sums brought into one currency.
     *
     * @param amount the converted sums added up, in the target currency (zero when there were none)
     * @param unconverted the sums no rate converts on the day, in their own currencies, in currency order; empty normally
     */
    public record Report(Money amount, List<Money> unconverted) {
    }

    /** The sums, one per currency, in {@code currency} at the rate of {@code day} (the same currency at rate 1). */
    public Report convert(Map<String, BigDecimal> byCurrency, String currency, LocalDate day) {
        BigDecimal total = BigDecimal.ZERO;
        Map<String, BigDecimal> unconverted = new TreeMap<>();
        for (Map.Entry<String, BigDecimal> sum : byCurrency.entrySet()) {
            Optional<Conversion> converted = converter.convert(sum.getValue(), sum.getKey(), currency, day);
            if (converted.isPresent()) {
                total = total.add(converted.get().amount());
            }
            else {
                unconverted.merge(sum.getKey(), sum.getValue(), BigDecimal::add);
            }
        }
        return new Report(new Money(Money.round(total), currency), amounts(unconverted));
    }

    /** Sums per currency as a list of money, in currency order, each rounded. */
    public static List<Money> amounts(Map<String, BigDecimal> byCurrency) {
        return new TreeMap<>(byCurrency).entrySet().stream().map(entry -> new Money(Money.round(entry.getValue()), entry.getKey())).toList();
    }
}
