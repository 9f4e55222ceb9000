package io.meterline.platform.mail;

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

    /** A file sent with an email, such as an invoice's PDF. */
    public record Attachment(String fileName, String contentType, byte[] content) {
    }

    /** Sends one email with attachments; blocks until the SMTP server accepted it, and throws when it did not. */
    public void send(String to, String subject, String body, Attachment... attachments) {
        Objects.requireNonNull(to, "to is null");
        Objects.requireNonNull(subject, "subject is null");
        Objects.requireNonNull(body, "body is null");
        Email.Builder email = Email.builder().from(configuration.from()).to(to).subject(subject).body(body);
        for (Attachment attachment : attachments) {
            email.attachment(io.micronaut.email.Attachment.builder().filename(attachment.fileName()).contentType(attachment.contentType())
                    .content(attachment.content()).build());
        }
        sender.send(email);
    }
}
