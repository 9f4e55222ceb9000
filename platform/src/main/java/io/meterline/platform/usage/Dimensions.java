package io.meterline.platform.usage;

import io.micronaut.core.annotation.Nullable;
import java.util.List;
import java.util.Map;

/** What a usage event is attributed to. Keys are free text; later features resolve them to teams and members. */
public record Dimensions(
        @Nullable String accountId,
        @Nullable String member,
        @Nullable String team,
        @Nullable String project,
        @Nullable String department,
        @Nullable String feature,
        @Nullable String tool,
        @Nullable String integration,
        @Nullable String session,
        @Nullable String mode,
        @Nullable String tagsJson) {

    /** The wire names of the dimensions, in column order; {@code tags} is the free-form object. */
    static final List<String> NAMES = List.of("account_id", "member", "team", "project", "department", "feature", "tool",
            "integration", "session", "mode");

    static Dimensions of(Map<String, String> values, @Nullable String tagsJson) {
        return new Dimensions(values.get("account_id"), values.get("member"), values.get("team"), values.get("project"),
                values.get("department"), values.get("feature"), values.get("tool"), values.get("integration"),
                values.get("session"), values.get("mode"), tagsJson);
    }

    /** The values in {@link #NAMES} order. */
    List<String> values() {
        return java.util.Arrays.asList(accountId, member, team, project, department, feature, tool, integration, session, mode);
    }
}
