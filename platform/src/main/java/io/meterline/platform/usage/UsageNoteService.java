package io.meterline.platform.usage;

import io.meterline.platform.common.GlobalId;
import io.meterline.platform.common.MeterlineException;
import io.meterline.platform.common.UserError;
import io.meterline.platform.common.UserInputException;
import io.meterline.platform.security.Owner;
import io.meterline.platform.security.TenantScope;
import io.meterline.platform.security.Viewer;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Personal notes on usage events (seed 002): every signed-in user who can see an event may keep
 * one note on it; only its author reads it back, platform admins read every note. Events belong
 * to the organization, not to a user, so "another user's event" means another organization's:
 * a top-level NOT_FOUND, as if it did not exist (like every other id of another tenant).
 */
@Singleton
public class UsageNoteService {

    /** The longest note, in characters. */
    static final int MAX_LENGTH = 1000;

    private final UsageQueries events;
    private final UsageNoteStore store;
    private final TenantScope tenantScope;
    private final Clock clock;

    UsageNoteService(UsageQueries events, UsageNoteStore store, TenantScope tenantScope, Clock clock) {
        this.events = events;
        this.store = store;
        this.tenantScope = tenantScope;
        this.clock = clock;
    }

    /** Writes or replaces the viewer's note on an event; returns the event. */
    @Transactional
    public UsageEventView set(Viewer viewer, @Nullable String eventId, @Nullable String text) {
        UsageEventView event = visibleEvent(viewer, eventId);
        if (text == null || text.isBlank()) {
            throw new UserInputException(UserError.of("text", UsageUserErrorCode.BLANK, "A note needs text; use usageNoteDelete to remove one"));
        }
        if (text.codePointCount(0, text.length()) > MAX_LENGTH) {
            throw new UserInputException(UserError.of("text", UsageUserErrorCode.LENGTH, "A note is at most " + MAX_LENGTH + " characters"));
        }
        store.put(event.organizationId(), event.id(), viewer.userId(), text, clock.instant());
        return event;
    }

    /** Deletes the viewer's note on an event, if any; returns the event. */
    @Transactional
    public UsageEventView delete(Viewer viewer, @Nullable String eventId) {
        UsageEventView event = visibleEvent(viewer, eventId);
        store.delete(event.id(), viewer.userId());
        return event;
    }

    /** Every author's notes on the events, in one statement: the request's batch loader filters them for the viewer. */
    @Transactional(readOnly = true)
    public Map<Long, List<UsageNote>> forEvents(Collection<Long> eventIds) {
        return store.forEvents(eventIds).stream().collect(Collectors.groupingBy(UsageNote::usageEventId));
    }

    private UsageEventView visibleEvent(Viewer viewer, @Nullable String eventId) {
        if (viewer.isToolUser()) {
            throw MeterlineException.forbidden("Notes belong to signed-in users, not Account IDs");
        }
        Optional<UsageEventView> event = GlobalId.decode(eventId).filter(id -> id.type().equals(UsageGraphQL.EVENT_TYPE))
                .flatMap(id -> events.find(id.id()))
                .filter(found -> tenantScope.canSee(viewer, Owner.organization(found.organizationId())));
        return event.orElseThrow(() -> MeterlineException.notFound(eventId));
    }
}
