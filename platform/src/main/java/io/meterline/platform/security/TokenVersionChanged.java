package io.meterline.platform.security;

/**
 * A user's token version was raised (a role, password or email change) and this instance has
 * forgotten the old one: raised on every instance when the change is announced, so whatever holds
 * a user's token beyond one request (an open websocket) checks it again.
 *
 * @param userId the user whose earlier access tokens no longer count
 */
public record TokenVersionChanged(long userId) {
}
