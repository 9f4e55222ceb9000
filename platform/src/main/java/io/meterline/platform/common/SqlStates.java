package io.meterline.platform.common;

import java.sql.SQLException;

/** What a failed statement's SQLSTATE means, the same on H2, MariaDB and MySQL. */
public final class SqlStates {

    private SqlStates() {
    }

    /** Whether the error (or one of its causes) is an integrity violation, such as a unique key already taken by a concurrent insert. */
    public static boolean isDuplicateKey(Throwable error) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (current instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }
}
