package io.meterline.platform.support;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real SMTP server (GreenMail) for tests of emails people receive: invitations, confirmations, notices. */
public final class MailServer implements AutoCloseable {

    private static final Pattern TOKEN = Pattern.compile("[?&]token=([A-Za-z0-9]+)");

    private final GreenMail smtp;

    private MailServer(GreenMail smtp) {
        this.smtp = smtp;
    }

    /** Starts a server on a free port. */
    public static MailServer start() {
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        return new MailServer(smtp);
    }

    /** The server properties that send Meterline's emails here, added to a test's database properties. */
    public Map<String, String> withProperties(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        all.put("meterline.smtp.host", "127.0.0.1");
        all.put("meterline.smtp.port", String.valueOf(smtp.getSmtp().getPort()));
        all.put("meterline.smtp.from", "accounts@meterline.test");
        all.put("meterline.links.base-url", "https://app.meterline.test");
        return all;
    }

    /** Waits until this many emails arrived in all, and returns those sent to an address. */
    public List<MimeMessage> to(String address, int totalExpected) {
        if (!smtp.waitForIncomingEmail(5000, totalExpected)) {
            throw new AssertionError("expected " + totalExpected + " emails, got " + smtp.getReceivedMessages().length);
        }
        return Arrays.stream(smtp.getReceivedMessages()).filter(message -> recipients(message).contains(address)).toList();
    }

    /** Every email received so far. */
    public List<MimeMessage> all() {
        return List.of(smtp.getReceivedMessages());
    }

    public static String body(MimeMessage message) {
        return GreenMailUtil.getBody(message);
    }

    /** The {@code token} parameter of the link in an email. */
    public static String token(MimeMessage message) {
        Matcher matcher = TOKEN.matcher(body(message));
        if (!matcher.find()) {
            throw new AssertionError("no token link in: " + body(message));
        }
        return matcher.group(1);
    }

    public void purge() {
        try {
            smtp.purgeEmailFromAllMailboxes();
        }
        catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> recipients(MimeMessage message) {
        try {
            return Arrays.stream(message.getRecipients(Message.RecipientType.TO)).map(Object::toString).toList();
        }
        catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        smtp.stop();
    }
}
