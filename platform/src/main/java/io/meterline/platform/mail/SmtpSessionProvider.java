package io.meterline.platform.mail;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.email.javamail.sender.DefaultSessionProvider;
import io.micronaut.email.javamail.sender.SessionProvider;
import jakarta.inject.Singleton;
import jakarta.mail.Authenticator;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import java.util.Properties;

/** The Jakarta Mail session of micronaut-email, built from {@code meterline.smtp.*} rather than raw javamail properties. */
@Singleton
@Replaces(DefaultSessionProvider.class)
public class SmtpSessionProvider implements SessionProvider {

    /** Connecting and talking to the SMTP server must not hold an alert back for long. */
    private static final String TIMEOUT_MILLIS = "10000";

    private final Session session;

    public SmtpSessionProvider(SmtpConfiguration configuration) {
        Properties properties = new Properties();
        properties.put("mail.transport.protocol", "smtp");
        properties.put("mail.smtp.host", configuration.host());
        properties.put("mail.smtp.port", String.valueOf(configuration.port()));
        properties.put("mail.smtp.connectiontimeout", TIMEOUT_MILLIS);
        properties.put("mail.smtp.timeout", TIMEOUT_MILLIS);
        properties.put("mail.smtp.writetimeout", TIMEOUT_MILLIS);
        properties.put("mail.smtp.starttls.enable", String.valueOf(configuration.startTls()));
        properties.put("mail.smtp.auth", String.valueOf(configuration.authenticates()));
        Authenticator authenticator = configuration.authenticates() ? new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(configuration.username(), configuration.password() == null ? "" : configuration.password());
            }
        } : null;
        this.session = Session.getInstance(properties, authenticator);
    }

    @Override
    public Session session() {
        return session;
    }
}
