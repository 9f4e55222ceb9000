package io.meterline.platform.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * CPU spent during a timed pass by this JVM (server and load generator), by the MariaDB server
 * when it runs on this machine, and by the whole machine, so a run on a shared machine shows how
 * much other work competed with it. Linux only ({@code /proc}); elsewhere only the JVM is measured.
 */
final class CpuMeter {

    /** Linux reports process times in USER_HZ ticks, 100 per second on every mainstream kernel. */
    private static final double TICKS_PER_SECOND = 100.0;
    private static final Path MACHINE_STAT = Path.of("/proc/stat");

    /** CPU seconds at one moment; NaN where unknown. */
    record Snapshot(long wallNanos, double jvmSeconds, double databaseSeconds, double machineBusySeconds) {
    }

    /** CPU seconds spent between two snapshots; NaN where unknown. */
    record Usage(double wallSeconds, double jvmSeconds, double databaseSeconds, double machineBusySeconds, int processors) {

        /** Busy CPU of every other process of the machine. */
        double otherSeconds() {
            return machineBusySeconds - jvmSeconds - (Double.isNaN(databaseSeconds) ? 0 : databaseSeconds);
        }
    }

    private final Path databaseStat;

    private CpuMeter(Path databaseStat) {
        this.databaseStat = databaseStat;
    }

    /** Finds the database server's process through its pid file, if it runs here and /proc is readable. */
    static CpuMeter forDatabase(Connection connection) {
        Path stat = null;
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT @@pid_file")) {
            if (rows.next() && rows.getString(1) != null) {
                String pid = Files.readString(Path.of(rows.getString(1))).trim();
                Path candidate = Path.of("/proc", pid, "stat");
                if (pid.matches("\\d+") && Files.isReadable(candidate)) {
                    stat = candidate;
                }
            }
        }
        catch (SQLException | IOException | RuntimeException e) {
            // Not MariaDB/MySQL, not on this machine, or no /proc: measure the JVM only.
        }
        return new CpuMeter(stat);
    }

    boolean measuresDatabase() {
        return databaseStat != null;
    }

    Snapshot snapshot() {
        return new Snapshot(System.nanoTime(), jvmSeconds(), processSeconds(databaseStat), machineBusySeconds());
    }

    Usage since(Snapshot start) {
        Snapshot end = snapshot();
        return new Usage((end.wallNanos() - start.wallNanos()) / 1e9, end.jvmSeconds() - start.jvmSeconds(),
                end.databaseSeconds() - start.databaseSeconds(), end.machineBusySeconds() - start.machineBusySeconds(),
                Runtime.getRuntime().availableProcessors());
    }

    private static double jvmSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean bean) {
            long nanos = bean.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        return Double.NaN;
    }

    /** utime + stime of a process, fields 14 and 15 of /proc/PID/stat (counted after the parenthesised name). */
    private static double processSeconds(Path stat) {
        if (stat == null) {
            return Double.NaN;
        }
        try {
            String text = Files.readString(stat);
            String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        }
        catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Busy time of all CPUs: user, nice, system, irq, softirq and steal of /proc/stat's first line. */
    private static double machineBusySeconds() {
        try {
            String[] fields = Files.readAllLines(MACHINE_STAT).get(0).trim().split("\\s+");
            long busy = 0;
            for (int index : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(fields[index]);
            }
            return busy / TICKS_PER_SECOND;
        }
        catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
