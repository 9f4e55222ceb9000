package io.meterline.platform.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The links Meterline emails to people ({@code meterline.links.*}): invitations and email
 * confirmations open pages of the dashboard at {@code base-url}, which read the {@code token}
 * parameter and call {@code invitationAccept} or {@code emailChangeConfirm}.
 *
 * @param baseUrl the dashboard's address, such as {@code https://app.example.com}
 * @param invitationTtl how long an invitation link works
 * @param emailChangeTtl how long an email confirmation link works
 */
@ConfigurationProperties("meterline.links")
public record AccountLinks(
        String baseUrl,
        Duration invitationTtl,
        Duration emailChangeTtl) {

    /** The link of an invitation email. */
    public String invitation(String token) {
        return page("/accept-invitation", token);
    }

    /** The link of an email confirmation email. */
    public String emailConfirmation(String token) {
        return page("/confirm-email", token);
    }

    private String page(String path, String token) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        return base + path + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }
}
