package io.meterline.platform.notification;

import io.meterline.platform.mail.EmailSender;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Emails an organization's alerts to its alert address, when the organization turned alerts on. */
@Singleton
public class AlertMailer {

    private static final Logger LOG = LoggerFactory.getLogger(AlertMailer.class);

    private final AlertSettingsService settings;
    private final EmailSender emails;

    public AlertMailer(AlertSettingsService settings, EmailSender emails) {
        this.settings = settings;
        this.emails = emails;
    }

    /**
     * Sends an alert email. Call it outside any transaction: it waits for the SMTP server.
     *
     * @return whether an email was sent: false when alerts are off or the organization has no alert address
     */
    public boolean send(long organizationId, String subject, String body) {
        AlertSettings current = settings.forOrganization(organizationId);
        if (!current.enabled() || current.email() == null) {
            LOG.debug("Alert email for organization {} not sent: alerts off or no address", organizationId);
            return false;
        }
        emails.send(current.email(), subject, body);
        return true;
    }
}
