package io.meterline.platform.notification;

import io.micronaut.email.Email;
import jakarta.inject.Singleton;
import java.util.Objects;

/** Sends plain-text emails from {@code meterline.smtp.from} through micronaut-email's Jakarta Mail sender. */
@Singleton
public class EmailSender {

    private final io.micronaut.email.EmailSender<?, ?> sender;
    private final SmtpConfiguration configuration;

    public EmailSender(io.micronaut.email.EmailSender<?, ?> sender, SmtpConfiguration configuration) {
        this.sender = sender;
        this.configuration = configuration;
    }

    /** Sends one email; blocks until the SMTP server accepted it, and throws when it did not. */
    public void send(String to, String subject, String body) {
        Objects.requireNonNull(to, "to is null");
        Objects.requireNonNull(subject, "subject is null");
        Objects.requireNonNull(body, "body is null");
        sender.send(Email.builder().from(configuration.from()).to(to).subject(subject).body(body));
    }
}
