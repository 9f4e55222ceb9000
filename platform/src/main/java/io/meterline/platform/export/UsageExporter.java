package io.meterline.platform.export;

import io.meterline.platform.account.ApiKeyService;
import io.meterline.platform.analytics.EventReader;
import io.meterline.platform.analytics.Totals;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.JsonStrings;
import io.meterline.platform.common.jdbc.TimeColumns;
import io.meterline.platform.usage.UsageQueries;
import io.micronaut.jdbc.DataSourceResolver;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javax.sql.DataSource;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import reactor.core.publisher.Flux;

/**
 * Usage events as CSV or JSON, streamed with constant memory: one statement whose rows the driver hands over a batch at
 * a time (a streaming result set, {@link #FETCH_SIZE} rows per fetch), written out in chunks of about
 * {@link #CHUNK_CHARS} characters, so a million events never sit in memory. The statement has a pooled connection of
 * its own, outside any transaction, held until the last row is sent or the client goes away. Rows come in the order
 * the calls happened, with the filters of {@code usageEvents}; times carry the organization's offset.
 */
@Singleton
public class UsageExporter {

    /** Rows per fetch of the streaming result set. */
    static final int FETCH_SIZE = 1000;
    /** The size of a chunk of the body. */
    static final int CHUNK_CHARS = 64 * 1024;
    /** The columns, in order; {@link #NUMERIC} marks those JSON writes as numbers. */
    public static final List<String> HEADER = List.of("event_id", "occurred_at", "received_at", "provider", "model", "status", "requests", "input_tokens",
            "output_tokens", "tokens", "cost", "currency", "original_cost", "original_currency", "account_id", "member", "team", "project", "department",
            "feature", "tool", "integration", "session", "mode", "duration_ms", "api_key_id");
    private static final boolean[] NUMERIC = new boolean[HEADER.size()];

    static {
        for (String column : List.of("requests", "input_tokens", "output_tokens", "tokens", "duration_ms")) {
            NUMERIC[HEADER.indexOf(column)] = true;
        }
    }

    private static final String SQL_COLUMNS = EventReader.COLUMNS + ", event_id, received_at";

    /** How a download is written. */
    public enum Format {
        CSV, JSON
    }

    private final DataSource pool;
    private final EventReader events;

    UsageExporter(DataSource dataSource, DataSourceResolver resolver, EventReader events) {
        // The pool itself: the contextual data source around it hands out the connection of the current transaction, and an
        // export holds its connection across many chunks, outside any transaction.
        this.pool = resolver.resolve(dataSource);
        this.events = events;
    }

    /**
     * The body of a download, in chunks: subscribe on a thread that may block (the statement runs on it). A CSV body is the
     * chunks one after the other; a JSON body's chunks are runs of row objects, which Micronaut writes as one JSON array.
     */
    public Flux<byte[]> stream(long organizationId, UsageQueries.Filter filter, ZoneId zone, Format format) {
        return Flux.using(() -> new Cursor(organizationId, filter, zone, format), cursor -> Flux.<byte[]>generate(sink -> {
            byte[] chunk = cursor.next();
            if (chunk == null) {
                sink.complete();
            }
            else {
                sink.next(chunk);
            }
        }), Cursor::close);
    }

    /** An open statement and the text not yet sent. */
    private final class Cursor implements AutoCloseable {

        private final Connection connection;
        private final PreparedStatement statement;
        private final ResultSet results;
        private final ZoneId zone;
        private final Format format;
        private final StringBuilder out = new StringBuilder(CHUNK_CHARS + 4096);
        private final CSVPrinter csv;
        private final String[] values = new String[HEADER.size()];
        private boolean started;
        private boolean done;
        long rows;

        Cursor(long organizationId, UsageQueries.Filter filter, ZoneId zone, Format format) throws SQLException {
            this.zone = zone;
            this.format = format;
            this.connection = pool.getConnection();
            try {
                connection.setReadOnly(true);
                statement = connection.prepareStatement("SELECT " + SQL_COLUMNS + " FROM usage_event" + UsageQueries.where(filter) + " ORDER BY occurred_at, id",
                        ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
                // MariaDB's driver streams with any positive fetch size; MySQL's Connector/J only with Integer.MIN_VALUE (or useCursorFetch).
                statement.setFetchSize(connection.getMetaData().getDriverName().startsWith("MySQL") ? Integer.MIN_VALUE : FETCH_SIZE);
                UsageQueries.bind(statement, organizationId, filter);
                results = statement.executeQuery();
                csv = format == Format.CSV ? new CSVPrinter(out, CSVFormat.RFC4180) : null;
            }
            catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
            catch (IOException e) {
                connection.close();
                throw new UncheckedIOException(e);
            }
        }

        /** The next chunk, or null after the last. */
        byte[] next() {
            if (done) {
                return null;
            }
            out.setLength(0);
            try {
                if (!started && csv != null) {
                    csv.printRecord(HEADER);
                }
                started = true;
                boolean firstOfChunk = true;
                while (out.length() < CHUNK_CHARS) {
                    if (!results.next()) {
                        done = true;
                        break;
                    }
                    row(results);
                    if (csv != null) {
                        csv.printRecord((Object[]) values);
                    }
                    else {
                        json(firstOfChunk);
                    }
                    firstOfChunk = false;
                    rows++;
                }
            }
            catch (SQLException | IOException e) {
                throw new IllegalStateException("Reading a usage export failed", e);
            }
            // An empty chunk would be an empty element of a JSON answer: the body ends with the last row.
            return out.length() == 0 ? null : out.toString().getBytes(StandardCharsets.UTF_8);
        }

        private void row(ResultSet row) throws SQLException {
            EventReader.Event event = events.read(row);
            Totals totals = event.totals();
            BigDecimal billingCost = row.getBigDecimal("billing_cost");
            BigDecimal cost = row.getBigDecimal("cost");
            long apiKeyId = row.getLong("api_key_id");
            boolean apiKey = !row.wasNull();
            long duration = row.getLong("duration_ms");
            boolean timed = !row.wasNull();
            int column = 0;
            values[column++] = row.getString("event_id");
            values[column++] = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(event.occurredAt().atZone(zone));
            values[column++] = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(TimeColumns.fromColumn(row.getObject("received_at", LocalDateTime.class)).atZone(zone));
            values[column++] = row.getString("provider");
            values[column++] = row.getString("model");
            values[column++] = row.getString("status");
            values[column++] = Long.toString(totals.requests());
            values[column++] = plain(totals.inputTokens());
            values[column++] = plain(totals.outputTokens());
            values[column++] = plain(totals.tokens());
            values[column++] = billingCost == null ? null : billingCost.toPlainString();
            values[column++] = billingCost == null ? null : row.getString("billing_currency");
            values[column++] = cost == null ? null : cost.toPlainString();
            values[column++] = cost == null ? null : row.getString("currency");
            values[column++] = row.getString("account_id");
            values[column++] = row.getString("member_key");
            values[column++] = row.getString("team");
            values[column++] = row.getString("project");
            values[column++] = row.getString("department");
            values[column++] = row.getString("feature");
            values[column++] = row.getString("tool");
            values[column++] = row.getString("integration");
            values[column++] = row.getString("session_key");
            values[column++] = row.getString("mode");
            values[column++] = timed ? Long.toString(duration) : null;
            values[column] = apiKey ? GlobalId.encode(ApiKeyService.TYPE, apiKeyId) : null;
        }

        /**
         * One row as a JSON object: numbers for counts, strings for the rest (amounts are decimal strings, as in the API), null
         * when absent. A chunk holds its rows separated by commas, without brackets: Micronaut writes a publisher answered as
         * {@code application/json} as one JSON array of its elements, adding the brackets and the commas between chunks.
         */
        private void json(boolean firstOfChunk) {
            out.append(firstOfChunk ? "{" : ",\n{");
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                out.append('"').append(HEADER.get(i)).append("\":");
                if (values[i] == null) {
                    out.append("null");
                }
                else if (NUMERIC[i]) {
                    out.append(values[i]);
                }
                else {
                    JsonStrings.quote(values[i], out);
                }
            }
            out.append('}');
        }

        @Override
        public void close() {
            try (Connection ignored = connection) {
                // Closing a half-read streaming result set makes the driver skip its remaining rows: a short wait, never a leak.
                statement.close();
            }
            catch (SQLException e) {
                throw new IllegalStateException("Closing a usage export failed", e);
            }
        }
    }

    private static String plain(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }
}
