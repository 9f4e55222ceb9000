package io.meterline.platform.attribution;

import io.meterline.platform.common.jdbc.Placeholders;
import io.meterline.platform.usage.RecordedUsage;
import io.meterline.platform.time.TimeBuckets;
import io.meterline.platform.usage.UsageListener;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Group membership, and the team / department / project keys seen in usage. Each key is written
 * once ({@code INSERT IGNORE}) in the ingestion transaction; keys known to be stored are remembered
 * in memory after their batch committed (rows are never deleted), so a busy key costs no write
 * after its first batch. Unassigned keys are then listed by one anti-join, never by scanning events.
 */
@Singleton
public class AttributionStore implements UsageListener {

    /** Enough for every key of many organizations; when full it is simply forgotten and refilled. */
    private static final int MAX_REMEMBERED = 100_000;

    private final TransactionOperations<Connection> transactions;
    private final Set<String> stored = ConcurrentHashMap.newKeySet();

    public AttributionStore(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    /** A key seen in usage that names no group of its kind. */
    public record UnassignedKey(AttributionKind kind, String key, Instant firstSeenAt) {
    }

    private record SeenKey(long organizationId, String dimension, String value) implements Comparable<SeenKey> {
        String memo() {
            return organizationId + "\u0000" + dimension + "\u0000" + value;
        }

        @Override
        public int compareTo(SeenKey other) {
            int byDimension = dimension.compareTo(other.dimension);
            return byDimension != 0 ? byDimension : value.compareTo(other.value);
        }
    }

    private static TreeSet<SeenKey> keysOf(List<RecordedUsage> recorded) {
        TreeSet<SeenKey> keys = new TreeSet<>();
        for (RecordedUsage usage : recorded) {
            add(keys, usage.organizationId(), AttributionKind.TEAM, usage.dimensions().team());
            add(keys, usage.organizationId(), AttributionKind.DEPARTMENT, usage.dimensions().department());
            add(keys, usage.organizationId(), AttributionKind.PROJECT, usage.dimensions().project());
        }
        return keys;
    }

    private static void add(Set<SeenKey> keys, long organizationId, AttributionKind kind, @Nullable String value) {
        if (value != null) {
            keys.add(new SeenKey(organizationId, kind.name(), value));
        }
    }

    @Override
    public void inTransaction(Connection connection, List<RecordedUsage> recorded) throws SQLException {
        List<SeenKey> fresh = keysOf(recorded).stream().filter(key -> !stored.contains(key.memo())).toList();
        if (fresh.isEmpty()) {
            return;
        }
        // The batch's first event time stands for every key: "first seen" is a hint, not a ledger.
        Instant seenAt = recorded.get(0).timestamp();
        try (PreparedStatement statement = connection.prepareStatement("INSERT IGNORE INTO usage_dimension_key (organization_id, dimension, key_value, first_seen_at)"
                + " VALUES (?, ?, ?, ?)")) {
            for (SeenKey key : fresh) {
                statement.setLong(1, key.organizationId());
                statement.setString(2, key.dimension());
                statement.setString(3, key.value());
                statement.setObject(4, TimeBuckets.toColumn(seenAt));
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    @Override
    public void afterCommit(List<RecordedUsage> recorded) {
        if (stored.size() > MAX_REMEMBERED) {
            stored.clear();
        }
        keysOf(recorded).forEach(key -> stored.add(key.memo()));
    }

    /** Keys seen in usage of one kind without a group of that kind (archived groups count as assigned), by key. */
    public List<UnassignedKey> unassigned(long organizationId, AttributionKind kind, @Nullable String afterKey, int limit) {
        return transactions.executeRead(status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement("SELECT k.key_value, k.first_seen_at FROM usage_dimension_key k"
                    + " LEFT JOIN attribution_group g ON g.organization_id = k.organization_id AND g.kind = k.dimension AND g.group_key = k.key_value"
                    + " WHERE k.organization_id = ? AND k.dimension = ? AND k.key_value > ? AND g.id IS NULL ORDER BY k.key_value LIMIT ?")) {
                statement.setLong(1, organizationId);
                statement.setString(2, kind.name());
                statement.setString(3, afterKey == null ? "" : afterKey);
                statement.setInt(4, limit);
                List<UnassignedKey> keys = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        keys.add(new UnassignedKey(kind, rows.getString(1), TimeBuckets.fromColumn(rows.getObject(2, LocalDateTime.class))));
                    }
                }
                return keys;
            }
        });
    }

    /** Adds a member; a department replaces the user's other department. Runs in the caller's transaction. */
    void addMember(Connection connection, AttributionGroup group, long userId, Instant now) throws SQLException {
        if (group.kind() == AttributionKind.DEPARTMENT) {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM attribution_member WHERE user_id = ? AND kind = ? AND group_id <> ?")) {
                delete.setLong(1, userId);
                delete.setString(2, AttributionKind.DEPARTMENT.name());
                delete.setLong(3, group.id());
                delete.executeUpdate();
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT IGNORE INTO attribution_member (group_id, user_id, kind, added_at) VALUES (?, ?, ?, ?)")) {
            insert.setLong(1, group.id());
            insert.setLong(2, userId);
            insert.setString(3, group.kind().name());
            insert.setObject(4, TimeBuckets.toColumn(now));
            insert.executeUpdate();
        }
    }

    /** Removes a member; answers whether it was one. */
    boolean removeMember(Connection connection, long groupId, long userId) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM attribution_member WHERE group_id = ? AND user_id = ?")) {
            delete.setLong(1, groupId);
            delete.setLong(2, userId);
            return delete.executeUpdate() > 0;
        }
    }

    /** The member user ids of some groups, in one query. */
    public Map<Long, List<Long>> membersOf(Collection<Long> groupIds) {
        return pairs("SELECT group_id, user_id FROM attribution_member WHERE group_id IN (%s) ORDER BY user_id", groupIds);
    }

    /** The group ids of some users, in one query. */
    public Map<Long, List<Long>> groupsOf(Collection<Long> userIds) {
        return pairs("SELECT user_id, group_id FROM attribution_member WHERE user_id IN (%s) ORDER BY group_id", userIds);
    }

    private Map<Long, List<Long>> pairs(String sql, Collection<Long> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        List<Long> distinct = ids.stream().distinct().toList();
        return transactions.executeRead(status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement(sql.formatted(Placeholders.in(distinct.size())))) {
                Placeholders.bind(statement, 1, distinct);
                Map<Long, List<Long>> result = new HashMap<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        result.computeIfAbsent(rows.getLong(1), ignored -> new ArrayList<>()).add(rows.getLong(2));
                    }
                }
                return result;
            }
        });
    }
}
