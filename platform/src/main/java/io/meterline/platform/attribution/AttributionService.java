package io.meterline.platform.attribution;

import io.meterline.platform.security.User;
import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.ControlCharacters;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.transaction.TransactionOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Teams, departments (cost centers) and projects: create, rename, archive, and their members.
 * Organization members read them; organization admins manage them. Every input is validated
 * before anything is written; users of another organization are reported as not found.
 */
@Singleton
public class AttributionService {

    /** The GraphQL type name of users, the type part of their global ids. */
    static final String USER_TYPE = "User";
    private static final int MAX_KEY = 128;
    private static final int MAX_NAME = 200;

    private final AttributionGroupRepository groups;
    private final MemberRepository users;
    private final AttributionStore store;
    private final TenantScope tenantScope;
    private final TransactionOperations<Connection> transactions;
    private final Clock clock;

    public AttributionService(AttributionGroupRepository groups, MemberRepository users, AttributionStore store, TenantScope tenantScope,
                              TransactionOperations<Connection> transactions, Clock clock) {
        this.groups = groups;
        this.users = users;
        this.store = store;
        this.tenantScope = tenantScope;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Transactional
    public AttributionGroup create(Viewer viewer, @Nullable String organizationId, AttributionKind kind, @Nullable String key, @Nullable String name) {
        long organization = tenantScope.organizationToManage(viewer, organizationId);
        List<UserError> errors = new ArrayList<>();
        String trimmedKey = key == null ? "" : key.trim();
        if (trimmedKey.isEmpty()) {
            errors.add(UserError.of("key", AttributionErrorCode.BLANK, "A key can't be blank: it is the " + kind.dimension() + " dimension value usage names"));
        }
        else if (trimmedKey.length() > MAX_KEY) {
            errors.add(UserError.of("key", AttributionErrorCode.LENGTH, "A key is at most " + MAX_KEY + " characters, like the dimension it matches"));
        }
        else if (ControlCharacters.presentIn(trimmedKey)) {
            errors.add(UserError.of("key", AttributionErrorCode.INVALID, "A key has no control characters"));
        }
        else if (groups.existsByOrganizationIdAndKindAndGroupKey(organization, kind, trimmedKey)) {
            errors.add(UserError.of("key", AttributionErrorCode.TAKEN, "A " + kind.dimension() + " with key " + trimmedKey + " already exists (archived ones keep their key)"));
        }
        String trimmedName = name == null || name.isBlank() ? trimmedKey : validName(name, errors);
        UserInputException.throwIfAny(errors);
        try {
            return groups.save(new AttributionGroup(null, organization, kind, trimmedKey, trimmedName, false, clock.instant()));
        }
        catch (DataAccessException e) {
            throw new UserInputException(UserError.of("key", AttributionErrorCode.TAKEN, "A " + kind.dimension() + " with key " + trimmedKey + " already exists"));
        }
    }

    @Transactional
    public AttributionGroup rename(Viewer viewer, String id, @Nullable String name) {
        AttributionGroup group = findToManage(viewer, id);
        List<UserError> errors = new ArrayList<>();
        String trimmed = validName(name, errors);
        if (group.archived()) {
            errors.add(UserError.of("id", AttributionErrorCode.INVALID_STATE, "The " + group.kind().dimension() + " is archived"));
        }
        UserInputException.throwIfAny(errors);
        return groups.update(group.renamed(trimmed));
    }

    /** Archives a group: it keeps its key and history; members stay listed. */
    @Transactional
    public AttributionGroup archive(Viewer viewer, String id) {
        AttributionGroup group = findToManage(viewer, id);
        if (group.archived()) {
            throw new UserInputException(UserError.of("id", AttributionErrorCode.INVALID_STATE, "The " + group.kind().dimension() + " is already archived"));
        }
        return groups.update(group.archivedCopy());
    }

    /** Adds a user of the group's organization to a team or department (a user has one department: the new one replaces the old). */
    public AttributionGroup addMember(Viewer viewer, String groupId, @Nullable String userId) {
        AttributionGroup group = findToManage(viewer, groupId);
        List<UserError> errors = new ArrayList<>();
        Optional<User> user = memberOf(group, userId, errors);
        if (!group.kind().hasMembers()) {
            errors.add(UserError.of("groupId", AttributionErrorCode.INVALID, "Projects have no members"));
        }
        if (group.archived()) {
            errors.add(UserError.of("groupId", AttributionErrorCode.INVALID_STATE, "The " + group.kind().dimension() + " is archived"));
        }
        UserInputException.throwIfAny(errors);
        return transactions.executeWrite(status -> {
            store.addMember(status.getConnection(), group, user.orElseThrow().id(), clock.instant());
            return group;
        });
    }

    public AttributionGroup removeMember(Viewer viewer, String groupId, @Nullable String userId) {
        AttributionGroup group = findToManage(viewer, groupId);
        List<UserError> errors = new ArrayList<>();
        Optional<User> user = memberOf(group, userId, errors);
        UserInputException.throwIfAny(errors);
        boolean removed = transactions.executeWrite(status -> store.removeMember(status.getConnection(), group.id(), user.orElseThrow().id()));
        if (!removed) {
            throw new UserInputException(UserError.of("userId", AttributionErrorCode.NOT_FOUND, "The user is not a member of this " + group.kind().dimension()));
        }
        return group;
    }

    /** The user an input names, when it belongs to the group's organization; another organization's user reads as not found. */
    private Optional<User> memberOf(AttributionGroup group, @Nullable String userId, List<UserError> errors) {
        Optional<User> user = userId == null ? Optional.empty() : GlobalId.decode(userId).filter(decoded -> decoded.type().equals(USER_TYPE))
                .flatMap(decoded -> users.findById(decoded.id()))
                .filter(found -> found.organizationId() != null && found.organizationId() == group.organizationId());
        if (user.isEmpty()) {
            errors.add(UserError.of("userId", AttributionErrorCode.NOT_FOUND, "No user " + userId + " in this organization"));
        }
        return user;
    }

    /** A group the viewer may see, or NOT_FOUND. */
    public AttributionGroup find(Viewer viewer, String id) {
        AttributionGroup group = groups.findById(GlobalId.require(id, AttributionGroup.TYPE)).orElseThrow(() -> MeterlineException.notFound(id));
        tenantScope.check(viewer, Owner.organization(group.organizationId()), id);
        return group;
    }

    private AttributionGroup findToManage(Viewer viewer, String id) {
        AttributionGroup group = find(viewer, id);
        tenantScope.requireManager(viewer);
        return group;
    }

    public List<AttributionGroup> page(long organizationId, long afterId, @Nullable AttributionKind kind, boolean includeArchived, int limit) {
        return groups.page(organizationId, afterId, kind == null ? null : kind.name(), includeArchived, limit);
    }

    public long count(long organizationId, @Nullable AttributionKind kind, boolean includeArchived) {
        return groups.count(organizationId, kind == null ? null : kind.name(), includeArchived);
    }

    private static String validName(@Nullable String name, List<UserError> errors) {
        String trimmed = name == null ? "" : name.trim();
        if (trimmed.isEmpty()) {
            errors.add(UserError.of("name", AttributionErrorCode.BLANK, "Name can't be blank"));
        }
        else if (trimmed.length() > MAX_NAME) {
            errors.add(UserError.of("name", AttributionErrorCode.LENGTH, "Name is longer than " + MAX_NAME + " characters"));
        }
        return trimmed;
    }

}
