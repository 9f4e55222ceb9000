package io.meterline.platform.graphql;

import graphql.schema.DataFetchingEnvironment;
import io.meterline.platform.common.MeterlineException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A Relay connection page. Pages are read with keyset pagination: fetch {@code first + 1} rows after
 * the cursor's key, so {@code hasNextPage} needs no second query.
 *
 * @param edges the items with their cursors
 * @param nodes the items
 * @param pageInfo where the page starts and ends
 * @param totalCount how many items match over all pages
 */
public record Connection<T>(List<Edge<T>> edges, List<T> nodes, PageInfo pageInfo, long totalCount) {

    /** The largest page. */
    public static final int MAX_FIRST = 100;

    /**
     * A keyset position of two parts, for lists sorted by a value that repeats (a time): the value,
     * then the row id that orders rows of equal value.
     */
    public record Position(long value, long id) {
    }

    /** An item and its cursor. */
    public record Edge<T>(String cursor, T node) {
    }

    /** Where a page starts and ends. */
    public record PageInfo(boolean hasNextPage, boolean hasPreviousPage, String startCursor, String endCursor) {
    }

    /**
     * Builds a page from rows fetched with a limit of {@code first + 1}.
     *
     * @param fetched the rows, at most first + 1
     * @param first the page size
     * @param key the key each cursor encodes
     * @param afterGiven whether the request had a cursor
     * @param totalCount matching items over all pages
     */
    public static <T> Connection<T> of(List<T> fetched, int first, ToLongFunction<T> key, boolean afterGiven, long totalCount) {
        return build(fetched, first, node -> cursor(Long.toString(key.applyAsLong(node))), afterGiven, totalCount);
    }

    /** As {@link #of}, for a list sorted by a {@link Position}. */
    public static <T> Connection<T> ofPositions(List<T> fetched, int first, Function<T, Position> position, boolean afterGiven, long totalCount) {
        return build(fetched, first, node -> {
            Position at = position.apply(node);
            return cursor(at.value() + ":" + at.id());
        }, afterGiven, totalCount);
    }

    private static <T> Connection<T> build(List<T> fetched, int first, Function<T, String> cursorOf, boolean afterGiven, long totalCount) {
        List<T> nodes = fetched.size() > first ? fetched.subList(0, first) : fetched;
        List<Edge<T>> edges = new ArrayList<>(nodes.size());
        for (T node : nodes) {
            edges.add(new Edge<>(cursorOf.apply(node), node));
        }
        PageInfo pageInfo = new PageInfo(fetched.size() > first, afterGiven,
                edges.isEmpty() ? null : edges.get(0).cursor(), edges.isEmpty() ? null : edges.get(edges.size() - 1).cursor());
        return new Connection<>(edges, List.copyOf(nodes), pageInfo, totalCount);
    }

    /** The {@code first} argument, checked to be 1 to 100. */
    public static int first(DataFetchingEnvironment environment) {
        Integer first = environment.getArgument("first");
        int value = first == null ? 20 : first;
        if (value < 1 || value > MAX_FIRST) {
            throw MeterlineException.badInput("first must be between 1 and " + MAX_FIRST);
        }
        return value;
    }

    /** The key of the {@code after} cursor, or the given default when there is none. */
    public static long after(DataFetchingEnvironment environment, long whenAbsent) {
        String after = afterText(environment);
        return after == null ? whenAbsent : parse(after, () -> Long.parseLong(after));
    }

    /** The position of the {@code after} cursor of a {@link #ofPositions} connection, or the given default when there is none. */
    public static Position afterPosition(DataFetchingEnvironment environment, Position whenAbsent) {
        String after = afterText(environment);
        if (after == null) {
            return whenAbsent;
        }
        String[] parts = after.split(":", -1);
        return parse(after, () -> {
            if (parts.length != 2) {
                throw new IllegalArgumentException();
            }
            return new Position(Long.parseLong(parts[0]), Long.parseLong(parts[1]));
        });
    }

    /** The text a cursor of the {@code after} argument encodes, null when there is none. */
    private static String afterText(DataFetchingEnvironment environment) {
        String after = environment.getArgument("after");
        if (after == null) {
            return null;
        }
        String decoded = parse(after, () -> new String(Base64.getUrlDecoder().decode(after), StandardCharsets.UTF_8));
        if (!decoded.startsWith("cursor:")) {
            throw notACursor();
        }
        return decoded.substring("cursor:".length());
    }

    private static <V> V parse(String text, java.util.function.Supplier<V> parser) {
        try {
            return parser.get();
        }
        catch (IllegalArgumentException e) {
            throw notACursor();
        }
    }

    private static MeterlineException notACursor() {
        return MeterlineException.badInput("after is not a cursor from this connection");
    }

    static String cursor(String key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("cursor:" + key).getBytes(StandardCharsets.UTF_8));
    }
}
