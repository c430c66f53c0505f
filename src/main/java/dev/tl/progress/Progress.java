package dev.tl.progress;

import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The progress of one long pass — a feature pass, a training epoch, validation, evaluate, predict, embed, the
 * range test — on stderr. When stderr is a terminal: a bar with the count, the rate and the time left, redrawn in
 * place. Otherwise (a CI log, a file): a log line at most every {@value #LINE_SECONDS} s. Either way a pass that
 * took {@value #SUMMARY_SECONDS} s or more ends with one summary line, and nothing shows when INFO logging is off
 * ({@code -q}). Like a logger, it writes to the process's one stderr, so passes find it by themselves.
 */
public final class Progress implements AutoCloseable {

    static final long LINE_SECONDS = 10;
    static final long SUMMARY_SECONDS = 1;
    private static final long REDRAW_NANOS = 100_000_000;
    private static final long NANOS = 1_000_000_000L;
    private static final Logger log = LoggerFactory.getLogger(Progress.class);

    /** Where a pass reports: the terminal bar, or log lines. */
    interface Display {
        void bar(String text);

        void line(String text);

        void clear();
    }

    private static final Display STDERR = new Display() {
        @Override
        public void bar(String text) {
            TerminalBar.draw(text);
        }

        @Override
        public void line(String text) {
            log.info(text);
        }

        @Override
        public void clear() {
            TerminalBar.clear();
        }
    };

    private final String task;
    private long total;
    private final String unit;
    private final LongSupplier clock;
    private final Display display;
    private final boolean drawBar;
    private final boolean shown;
    private final long start;
    private final RecentRate recent = new RecentRate();
    private long done;
    private String status = "";
    private long lastDrawn;
    private long lastLine;
    private boolean closed;

    Progress(String task, long total, String unit, LongSupplier clock, Display display, boolean drawBar,
             boolean shown) {
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.clock = clock;
        this.display = display;
        this.drawBar = drawBar;
        this.shown = shown;
        this.start = clock.getAsLong();
        this.lastLine = start;
        if (shown && drawBar) {
            display.bar(barText());
            lastDrawn = start;
        }
    }

    /** A pass over {@code total} {@code unit}s (e.g. "img") called {@code task}; close it when it ends. */
    public static Progress start(String task, long total, String unit) {
        boolean shown = log.isInfoEnabled();
        return new Progress(task, total, unit, System::nanoTime, STDERR, shown && TerminalBar.available(), shown);
    }

    /** Erases a bar left on the terminal by a pass that failed, so an error message starts a line of its own. */
    public static void clearTerminal() {
        TerminalBar.clear();
    }

    /**
     * Erases the bar and keeps any pass from drawing it again, then runs {@code print}: for a message as the
     * process ends (on Ctrl-C), which must start a line of its own while passes still run.
     */
    public static void endTerminal(Runnable print) {
        TerminalBar.end(print);
    }

    /** {@code items} more are done. */
    public synchronized void advance(long items) {
        done += items;
        if (!shown || closed) {
            return;
        }
        long now = clock.getAsLong();
        recent.record(done, now);
        if (drawBar) {
            if (now - lastDrawn >= REDRAW_NANOS || done >= total) {
                display.bar(barText());
                lastDrawn = now;
            }
        } else if (now - lastLine >= LINE_SECONDS * NANOS && done < total) {
            display.line(ProgressText.line(task, done, total, unit, speed(now), status));
            lastLine = now;
        }
    }

    /** {@code items} of the total need no work after all (they were read from a cache): the pass is shorter. */
    public synchronized void exclude(long items) {
        total -= items;
    }

    /** A few words shown after the numbers from now on, such as the running loss. */
    public synchronized void status(String text) {
        status = text;
    }

    /** Ends the pass: the bar goes, and a pass that took long enough leaves its summary line. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!shown) {
            return;
        }
        if (drawBar) {
            display.clear();
        }
        double seconds = seconds(clock.getAsLong());
        if (seconds >= SUMMARY_SECONDS) {
            display.line(ProgressText.summary(task, done, unit, seconds, status));
        }
    }

    private String barText() {
        return ProgressText.bar(task, done, total, unit, speed(clock.getAsLong()), status, TerminalBar.width());
    }

    private ProgressText.Speed speed(long now) {
        double seconds = seconds(now);
        return new ProgressText.Speed(recent.perSecond(), seconds > 0 ? done / seconds : 0);
    }

    private double seconds(long now) {
        return (now - start) / (double) NANOS;
    }
}
