package io.meterline.platform.mail;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

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
        @Bindable(defaultValue = "localhost") String host,
        @Bindable(defaultValue = "25") int port,
        @Nullable String username,
        @Nullable String password,
        @Bindable(defaultValue = "alerts@meterline.local") String from,
        @Bindable(defaultValue = "false") boolean startTls) {

    boolean authenticates() {
        return username != null && !username.isBlank();
    }
}
