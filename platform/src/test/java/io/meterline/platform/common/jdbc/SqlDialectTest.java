package io.meterline.platform.common.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlDialectTest {

    @Test
    void mySqlFrom8019UsesTheRowAlias() {
        assertThat(SqlDialect.of("MySQL", "8.0.19")).isEqualTo(SqlDialect.ROW_ALIAS);
        assertThat(SqlDialect.of("MySQL", "8.0.36")).isEqualTo(SqlDialect.ROW_ALIAS);
        assertThat(SqlDialect.of("MySQL", "8.4.3")).isEqualTo(SqlDialect.ROW_ALIAS);
        assertThat(SqlDialect.of("MySQL", "9.1.0-commercial")).isEqualTo(SqlDialect.ROW_ALIAS);
    }

    @Test
    void olderMySqlUsesValues() {
        assertThat(SqlDialect.of("MySQL", "8.0.18")).isEqualTo(SqlDialect.VALUES_FUNCTION);
        assertThat(SqlDialect.of("MySQL", "5.7.44-log")).isEqualTo(SqlDialect.VALUES_FUNCTION);
    }

    @Test
    void mariaDbAndH2UseValuesWhateverTheirVersion() {
        assertThat(SqlDialect.of("MariaDB", "10.11.6-MariaDB-0+deb12u1")).isEqualTo(SqlDialect.VALUES_FUNCTION);
        assertThat(SqlDialect.of("MariaDB", "11.4.2")).isEqualTo(SqlDialect.VALUES_FUNCTION);
        // Older connectors report a MariaDB server as MySQL with a 5.5.5 prefix.
        assertThat(SqlDialect.of("MySQL", "5.5.5-10.11.6-MariaDB")).isEqualTo(SqlDialect.VALUES_FUNCTION);
        assertThat(SqlDialect.of("MySQL", "11.4.2-MariaDB")).isEqualTo(SqlDialect.VALUES_FUNCTION);
        assertThat(SqlDialect.of("H2", "2.3.232 (2024-08-11)")).isEqualTo(SqlDialect.VALUES_FUNCTION);
    }
}
