package io.meterline.platform.profile;

/** Where an invitation stands. */
public enum InvitationStatus {
    /** Sent, not yet accepted, still valid. */
    PENDING,
    /** Accepted: the user exists. */
    ACCEPTED,
    /** Withdrawn by an admin, or replaced by a newer invitation to the same email. */
    REVOKED,
    /** Not accepted in time. */
    EXPIRED
}
