package io.meterline.platform.security;

import java.util.Optional;

/**
 * A check of a signed-in viewer that the token alone cannot answer, run by the GraphQL request
 * guard before every root field: a tool user's Account ID may have been suspended or archived
 * after its token was issued, and the refusal must hold from the next request on, on every
 * instance. Implementations must be cheap (one indexed read at most) and answer empty for viewers
 * they do not concern.
 */
public interface ViewerGate {

    /** Why this viewer's request must be refused now, or empty to let it through. */
    Optional<String> refusal(Viewer viewer);
}
