package io.meterline.platform.common.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;

/** Placeholder lists for {@code IN (...)} and the binding of their values. */
public final class Placeholders {

    private Placeholders() {
    }

    /** {@code ?, ?, ?} with {@code count} marks (at least one: {@code IN ()} is not SQL). */
    public static String in(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("An IN list needs at least one value, got " + count);
        }
        StringBuilder marks = new StringBuilder(count * 3 - 2).append('?');
        for (int i = 1; i < count; i++) {
            marks.append(", ?");
        }
        return marks.toString();
    }

    /** {@code ?, ?, ?} with one mark per value. */
    public static String in(Collection<?> values) {
        return in(values.size());
    }

    /**
     * Binds the values in order from parameter {@code first}, with {@link PreparedStatement#setObject},
     * and answers the next free parameter.
     */
    public static int bind(PreparedStatement statement, int first, Collection<?> values) throws SQLException {
        int parameter = first;
        for (Object value : values) {
            statement.setObject(parameter++, value);
        }
        return parameter;
    }
}
