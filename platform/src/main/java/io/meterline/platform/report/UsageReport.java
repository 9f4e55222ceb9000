package io.meterline.platform.report;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.time.DayRange;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Objects;
import java.util.Optional;

/**
 * One month of an organization's usage in its own time zone. Nothing is stored: the figures are read from the rollups
 * whenever the report is, so a CURRENT report is live and a COMPLETED one reads the same numbers every time.
 *
 * @param organizationId the organization
 * @param month the local month
 * @param days the month's local days, in the organization's zone
 * @param status CURRENT until the month's end plus the grace period, then COMPLETED
 * @param generatedAt when the figures became final (the month's end plus the grace period); for a CURRENT report, now
 */
public record UsageReport(long organizationId, YearMonth month, DayRange days, Status status, Instant generatedAt) {

    /** The GraphQL type name, also the type part of the global id. */
    public static final String TYPE = "UsageReport";

    /** Whether the figures may still change. */
    public enum Status {
        CURRENT, COMPLETED
    }

    public UsageReport {
        Objects.requireNonNull(month, "month is null");
        Objects.requireNonNull(days, "days is null");
        Objects.requireNonNull(status, "status is null");
        Objects.requireNonNull(generatedAt, "generatedAt is null");
    }

    /** The month as a sortable number, {@code yyyymm}: the list's cursor. */
    public long monthKey() {
        return month.getYear() * 100L + month.getMonthValue();
    }

    /** The row id inside the global id: the organization and the month, so a report needs no stored row to be a node. */
    public long rowId() {
        return organizationId * 1_000_000L + monthKey();
    }

    public String globalId() {
        return GlobalId.encode(TYPE, rowId());
    }

    /** A report's organization and month, from its row id. */
    public record Key(long organizationId, YearMonth month) {

        static Optional<Key> of(long rowId) {
            long monthKey = rowId % 1_000_000L;
            int monthValue = (int) (monthKey % 100);
            if (rowId <= 0 || monthValue < 1 || monthValue > 12) {
                return Optional.empty();
            }
            return Optional.of(new Key(rowId / 1_000_000L, YearMonth.of((int) (monthKey / 100), monthValue)));
        }
    }
}
