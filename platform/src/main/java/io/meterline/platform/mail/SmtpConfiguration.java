package io.meterline.platform.mail;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * The SMTP server alert emails go through ({@code meterline.smtp.*}).
 *
 * @param host the server's host name
 * @param port its port
 * @param username the user to authenticate as; no authentication when empty
 * @param password that user's password
 * @param from the sender address of every email
 * @param startTls whether to upgrade the connection with STARTTLS
 */
@ConfigurationProperties("meterline.smtp")
public record SmtpConfiguration(
        String host,
        int port,
        @Nullable String username,
        @Nullable String password,
        String from,
        boolean startTls) {

    boolean authenticates() {
        return username != null && !username.isBlank();
    }
}
