package io.meterline.platform;

import io.meterline.platform.common.RequiredSettings;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.TimeZone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the Meterline server. */
public final class Application {

    private static final Logger LOG = LoggerFactory.getLogger(Application.class);

    private Application() {
    }

    public static void main(String[] args) {
        // Storage is UTC; zones are applied only at the edges (see TimeBuckets).
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        String secret = System.getenv("METERLINE_JWT_SECRET");
        if (secret == null || secret.isBlank()) {
            // A random secret signs tokens for this process only: fine for one instance and demos,
            // while a deployment of several instances sets METERLINE_JWT_SECRET on all of them.
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            System.setProperty("meterline.jwt-secret", HexFormat.of().formatHex(random));
            LOG.warn("METERLINE_JWT_SECRET is not set: using a random signing secret; tokens end with this process");
        }
        List<String> problems = settingsProblems(args);
        if (!problems.isEmpty()) {
            // The operator's fix is in these lines; a stack trace around them would only hide it.
            problems.forEach(problem -> LOG.error("Refusing to start: {}", problem));
            System.exit(78);
        }
        Micronaut.build(args).banner(false).start();
    }

    /** The required settings' problems, read from the same sources (files, environment, arguments) the server will use. */
    private static List<String> settingsProblems(String[] args) {
        try (ApplicationContext settings = ApplicationContext.builder().args(args).build()) {
            Environment environment = settings.getEnvironment();
            environment.start();
            return RequiredSettings.problems(environment);
        }
    }
}
