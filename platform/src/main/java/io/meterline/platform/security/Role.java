package io.meterline.platform.security;

/** What a signed-in user may do. */
public enum Role {
    /** The platform operator: every organization. */
    PLATFORM_ADMIN,
    /** Manages one organization. */
    ORG_ADMIN,
    /** Reads one organization. */
    ORG_MEMBER,
    /**
     * A tool user signed in with an Account ID ({@code accountIdSignIn}): records usage attributed to
     * that Account ID, reads its own usage and the organization's business rules; nothing else.
     * Never a user row's role.
     */
    TOOL_USER
}
