package io.meterline.platform.usage;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What other features do when a stored event gets a price later ({@link UsageRepricer}): called in the
 * repricing transaction, on its connection, with the event's row locked, just before and just after
 * the event's row changes, so a feature that copied the event can take the old figures out and put
 * the new ones in.
 */
public interface RepriceListener {

    void beforeReprice(Connection connection, long eventRowId) throws SQLException;

    void afterReprice(Connection connection, long eventRowId) throws SQLException;
}
