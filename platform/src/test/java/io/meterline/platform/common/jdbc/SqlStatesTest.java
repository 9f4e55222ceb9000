package io.meterline.platform.common.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import org.junit.jupiter.api.Test;

class SqlStatesTest {

    @Test
    void duplicateKeysOnEveryDatabase() {
        assertThat(SqlStates.isDuplicateKey(new SQLIntegrityConstraintViolationException("Duplicate entry", "23000", 1062))).isTrue();
        assertThat(SqlStates.isDuplicateKey(new SQLException("Unique index or primary key violation", "23505", 23505))).isTrue();
        assertThat(SqlStates.isDuplicateKey(new IllegalStateException("wrapped", new SQLException("dup", "23000", 1062)))).isTrue();
    }

    @Test
    void aBatchReportsTheDuplicateInItsNextException() {
        BatchUpdateException batch = new BatchUpdateException("batch failed", "HY000", 0, new int[0], null);
        batch.setNextException(new SQLException("Duplicate entry", "23000", 1062));
        assertThat(SqlStates.isDuplicateKey(batch)).isTrue();
    }

    @Test
    void otherIntegrityViolationsAreNotDuplicates() {
        assertThat(SqlStates.isDuplicateKey(new SQLException("foreign key fails", "23000", 1452))).isFalse();
        assertThat(SqlStates.isDuplicateKey(new SQLException("cannot be null", "23000", 1048))).isFalse();
        assertThat(SqlStates.isDuplicateKey(new SQLException("Referential integrity", "23506", 23506))).isFalse();
        assertThat(SqlStates.isDuplicateKey(new IllegalStateException("no SQL at all"))).isFalse();
    }

    @Test
    void deadlocksAndLockWaitsAreRetried() {
        assertThat(SqlStates.isRetryableLockConflict(new SQLException("Deadlock found", "40001", 1213))).isTrue();
        assertThat(SqlStates.isRetryableLockConflict(new SQLException("Lock wait timeout exceeded", "HY000", 1205))).isTrue();
        assertThat(SqlStates.isRetryableLockConflict(new SQLException("Timeout trying to lock table", "HYT00", 50200))).isTrue();
        assertThat(SqlStates.isRetryableLockConflict(new SQLException("Deadlock detected", "40001", 40001))).isTrue();
        assertThat(SqlStates.isRetryableLockConflict(new RuntimeException(new SQLException("Deadlock found", "40001", 1213)))).isTrue();
    }

    @Test
    void otherFailuresAreNotRetried() {
        assertThat(SqlStates.isRetryableLockConflict(new SQLException("Duplicate entry", "23000", 1062))).isFalse();
        assertThat(SqlStates.isRetryableLockConflict(new SQLException("syntax", "42000", 1064))).isFalse();
    }
}
