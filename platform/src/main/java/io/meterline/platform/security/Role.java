package io.meterline.platform.security;

/** What a signed-in user may do. */
public enum Role {
    /** The platform operator: every organization. */
    PLATFORM_ADMIN,
    /** Manages one organization. */
    ORG_ADMIN,
    /** Reads one organization. */
    ORG_MEMBER
}
