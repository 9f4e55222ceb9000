package io.meterline.platform.bench;

/** How every benchmark main ends: its exit code (0 done, 1 a check failed), or 2 with the stack trace when it could not run. */
final class BenchMain {

    /** A benchmark's body. */
    interface Body {
        int run() throws Exception;
    }

    private BenchMain() {
    }

    /**
     * A string option: the system property, or {@code defaultValue} when it is absent or empty (the {@code bench} profile
     * passes an option the command line left out as empty, so that each benchmark's own default applies).
     */
    static String option(String name, String defaultValue) {
        String value = System.getProperty(name, "");
        return value.isEmpty() ? defaultValue : value;
    }

    static void exitWith(Body body) {
        int exitCode;
        try {
            exitCode = body.run();
        }
        catch (Throwable e) {
            System.out.println("BENCHMARK ERROR: " + e);
            e.printStackTrace(System.out);
            exitCode = 2;
        }
        System.out.flush();
        System.exit(exitCode);
    }
}
