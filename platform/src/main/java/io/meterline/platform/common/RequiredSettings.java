package io.meterline.platform.common;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.env.Environment;
import io.micronaut.core.value.PropertyResolver;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses to start when a required setting is missing or unusable, one line per problem naming the
 * environment variable and the rule. Without it a 12-character JWT secret let the server start and
 * report healthy, and every sign-in then failed with 500. Created eagerly ({@link Context}) so any
 * application context, the server's or a test's, fails at start; {@code Application.main} runs the
 * same {@link #problems} first so an operator sees just those lines, not a stack trace.
 */
@Context
public class RequiredSettings {

    /** HS256 needs a key of at least 256 bits (RFC 7518, 3.2). */
    public static final int MINIMUM_JWT_SECRET_BYTES = 32;

    public RequiredSettings(Environment environment) {
        List<String> problems = problems(environment);
        if (!problems.isEmpty()) {
            throw new SettingsRefused(problems);
        }
    }

    /** Every problem with the required settings, one sentence each; empty when the server may start. */
    public static List<String> problems(PropertyResolver properties) {
        List<String> problems = new ArrayList<>();
        String secret = value(properties, "meterline.jwt-secret");
        int secretBytes = secret.getBytes(StandardCharsets.UTF_8).length;
        if (secretBytes < MINIMUM_JWT_SECRET_BYTES) {
            problems.add("METERLINE_JWT_SECRET (meterline.jwt-secret) must be at least " + MINIMUM_JWT_SECRET_BYTES + " bytes, it is " + secretBytes
                    + ": generate one with `openssl rand -hex 32` and give every instance the same value");
        }
        String adminEmail = value(properties, "meterline.bootstrap-admin.email");
        String adminPassword = value(properties, "meterline.bootstrap-admin.password");
        if (adminEmail.isBlank() != adminPassword.isBlank()) {
            problems.add("METERLINE_BOOTSTRAP_ADMIN_EMAIL and METERLINE_BOOTSTRAP_ADMIN_PASSWORD (meterline.bootstrap-admin.*) must be set together or not at all");
        }
        if (!value(properties, "datasources.default.url").startsWith("jdbc:")) {
            problems.add("METERLINE_DB_URL (datasources.default.url) must be a JDBC URL starting with jdbc:");
        }
        if (!isHttpUrl(value(properties, "meterline.links.base-url"))) {
            problems.add("METERLINE_APP_URL (meterline.links.base-url) must be an absolute http:// or https:// URL: emailed links open it");
        }
        return List.copyOf(problems);
    }

    private static String value(PropertyResolver properties, String name) {
        return properties.getProperty(name, String.class).orElse("").strip();
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = new URI(value);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        }
        catch (URISyntaxException e) {
            return false;
        }
    }

    /** The settings refused at start; its message is the problems, one per line, and nothing else. */
    public static final class SettingsRefused extends RuntimeException {

        public SettingsRefused(List<String> problems) {
            super(String.join(System.lineSeparator(), problems), null, false, false);
        }
    }
}
