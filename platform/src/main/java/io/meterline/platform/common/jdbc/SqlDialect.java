package io.meterline.platform.common.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the database spells what differs between the products Meterline runs on. Today that is only
 * the new row in {@code INSERT ... ON DUPLICATE KEY UPDATE}: MySQL deprecated {@code VALUES(col)}
 * there in 8.0.20 and recommends a row alias since 8.0.19, which MariaDB (10.11) and H2 (MySQL
 * mode) do not accept, while both still accept {@code VALUES(col)}.
 */
public enum SqlDialect {

    /** MariaDB, H2 and MySQL before 8.0.19: {@code c = c + VALUES(c)}. */
    VALUES_FUNCTION,
    /** MySQL 8.0.19 and later: {@code INSERT ... VALUES (...) AS new ON DUPLICATE KEY UPDATE c = c + new.c}. */
    ROW_ALIAS;

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");

    /** The dialect of the database behind the metadata. */
    public static SqlDialect of(DatabaseMetaData metadata) throws SQLException {
        return of(metadata.getDatabaseProductName(), metadata.getDatabaseProductVersion());
    }

    /**
     * The dialect of a database product and version as JDBC metadata reports them. A MariaDB server
     * may introduce itself as MySQL with a version such as {@code 5.5.5-10.11.6-MariaDB}: the
     * version's mention of MariaDB wins.
     */
    static SqlDialect of(String productName, String productVersion) {
        String product = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        String version = productVersion == null ? "" : productVersion;
        if (!product.contains("mysql") || version.toLowerCase(Locale.ROOT).contains("mariadb")) {
            return VALUES_FUNCTION;
        }
        Matcher matcher = VERSION.matcher(version);
        if (!matcher.find()) {
            return VALUES_FUNCTION;
        }
        int major = Integer.parseInt(matcher.group(1));
        int minor = Integer.parseInt(matcher.group(2));
        int patch = Integer.parseInt(matcher.group(3));
        boolean rowAlias = major > 8 || major == 8 && (minor > 0 || patch >= 19);
        return rowAlias ? ROW_ALIAS : VALUES_FUNCTION;
    }
}
