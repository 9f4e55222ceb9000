package io.meterline.platform.common;

/** The codes of top-level errors, sent to GraphQL clients as {@code extensions.code}. */
public enum ErrorCode {
    /** No valid credentials were sent. */
    UNAUTHENTICATED,
    /** The viewer is known but may not do this. */
    FORBIDDEN,
    /** The request is malformed in a way the client must fix. */
    BAD_USER_INPUT,
    /** The object does not exist or belongs to another organization. */
    NOT_FOUND,
    /** The query is too deep or too expensive. */
    QUERY_TOO_COMPLEX,
    /** The caller spent its query cost budget of the current minute; {@code extensions.retryAfterSeconds} says when to try again. */
    RATE_LIMITED,
    /** A server fault. */
    INTERNAL
}
