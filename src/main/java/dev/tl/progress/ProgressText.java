package dev.tl.progress;

import java.util.Locale;

/**
 * The words of a progress report: a terminal bar that fits a width, a log line, and the summary of a finished
 * pass. Keras' bar ({@code [=====>....]}) in plain ASCII, which every terminal and encoding shows.
 */
final class ProgressText {

    private static final int MIN_BAR = 10;
    private static final int MAX_BAR = 30;

    private ProgressText() {
    }

    /**
     * {@code task [====>     ] 96/245 img  8.1 img/s  ETA 0:18  status}, at most {@code width} characters.
     */
    static String bar(String task, long done, long total, String unit, Speed speed, String status, int width) {
        String count = done + "/" + total + " " + unit;
        String tail = "  " + rate(speed.shown(), unit) + "  ETA " + eta(done, total, speed.recent())
                + (status.isEmpty() ? "" : "  " + status);
        int room = width - task.length() - count.length() - tail.length() - 4;
        String line = room >= MIN_BAR ? task + " " + bar(done, total, Math.min(room, MAX_BAR)) + " " + count + tail
                : task + " " + count + tail;
        return line.length() <= width ? line : line.substring(0, Math.max(0, width));
    }

    /** {@code task: 96/245 img (39%), 8.1 img/s, ETA 0:18, status}. */
    static String line(String task, long done, long total, String unit, Speed speed, String status) {
        return String.format(Locale.ROOT, "%s: %d/%d %s (%d%%), %s, ETA %s%s", task, done, total, unit,
                total == 0 ? 100 : done * 100 / total, rate(speed.shown(), unit), eta(done, total, speed.recent()),
                status.isEmpty() ? "" : ", " + status);
    }

    /** {@code task: 245 img in 30.2 s (8.1 img/s), status}. */
    static String summary(String task, long done, String unit, double seconds, String status) {
        return String.format(Locale.ROOT, "%s: %d %s in %s (%s)%s", task, done, unit, duration(seconds),
                rate(seconds > 0 ? done / seconds : 0, unit), status.isEmpty() ? "" : ", " + status);
    }

    /**
     * How fast a pass goes: {@code recent}, the rate the time left is estimated from (NaN while unknown), and
     * {@code mean}, the rate since the start, shown until the recent one is known.
     */
    record Speed(double recent, double mean) {
        double shown() {
            return Double.isNaN(recent) ? mean : recent;
        }
    }

    static String rate(double perSecond, String unit) {
        return String.format(Locale.ROOT, perSecond >= 100 ? "%.0f %s/s" : "%.1f %s/s", perSecond, unit);
    }

    /** The time left at {@code perSecond}: {@code m:ss} (or {@code h:mm:ss}), {@code ?} while unknown. */
    static String eta(long done, long total, double perSecond) {
        return done >= total ? clock(0) : perSecond > 0 ? clock((total - done) / perSecond) : "?";
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private static String duration(double seconds) {
        return seconds < 60 ? String.format(Locale.ROOT, "%.1f s", seconds) : clock(seconds);
    }

    private static String bar(long done, long total, int width) {
        int filled = total == 0 ? width : (int) Math.min(width, done * width / total);
        StringBuilder bar = new StringBuilder("[");
        for (int i = 0; i < width; i++) {
            bar.append(i < filled ? '=' : i == filled ? '>' : '.');
        }
        return bar.append(']').toString();
    }
}
