package dev.tl.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What a pass reports, and when, on a clock the test moves. */
class ProgressTest {

    private static final long SECOND = 1_000_000_000L;

    private final List<String> bars = new ArrayList<>();
    private final List<String> lines = new ArrayList<>();
    private final Progress.Display display = new Progress.Display() {
        @Override
        public void bar(String text) {
            bars.add(text);
        }

        @Override
        public void line(String text) {
            lines.add(text);
        }

        @Override
        public void clear() {
            bars.add("<cleared>");
        }
    };
    private long now;

    private Progress pass(boolean bar) {
        return new Progress("finetune epoch 1/2", 100, "img", () -> now, display, bar, true);
    }

    @Test
    void withoutATerminalALineAtMostEveryTenSecondsAndASummary() {
        try (Progress progress = pass(false)) {
            for (int batch = 0; batch < 10; batch++) {
                now += 3 * SECOND;
                progress.status("loss 0.5000");
                progress.advance(10);
            }
        }
        assertThat(bars).isEmpty();
        assertThat(lines).containsExactly(
                "finetune epoch 1/2: 40/100 img (40%), 3.3 img/s, ETA 0:18, loss 0.5000",
                "finetune epoch 1/2: 80/100 img (80%), 3.3 img/s, ETA 0:06, loss 0.5000",
                "finetune epoch 1/2: 100 img in 30.0 s (3.3 img/s), loss 0.5000");
    }

    @Test
    void inATerminalABarWithCountRateAndEta() {
        try (Progress progress = pass(true)) {
            now += SECOND / 2;
            progress.advance(25);
            now += SECOND / 2;
            progress.advance(75);
        }
        assertThat(bars).hasSize(4).last().isEqualTo("<cleared>");
        assertThat(bars.get(0)).contains("0/100 img", "ETA ?");
        // one report is all warm-up: no time left from it
        assertThat(bars.get(1)).matches("finetune epoch 1/2 \\[=+>\\.+\\] 25/100 img  50\\.0 img/s  ETA \\?");
        assertThat(bars.get(2)).contains("100/100 img", "ETA 0:00");
        assertThat(lines).containsExactly("finetune epoch 1/2: 100 img in 1.0 s (100 img/s)");
    }

    /** The time left as a bar shows it, in seconds. */
    private static long etaSeconds(String bar) {
        Matcher eta = Pattern.compile("ETA (\\d+):(\\d\\d)").matcher(bar);
        assertThat(eta.find()).as(bar).isTrue();
        return Long.parseLong(eta.group(1)) * 60 + Long.parseLong(eta.group(2));
    }

    @Test
    void theTimeLeftFollowsTheRecentRateNotTheWarmUp() {
        // 1000 images in batches of 10 at 1 s an image, the first 5 batches (5%) ten times slower.
        try (Progress progress = new Progress("features", 1000, "img", () -> now, display, true, true)) {
            for (int batch = 1; batch <= 100; batch++) {
                now += (batch <= 5 ? 100 : 10) * SECOND;
                progress.advance(10);
            }
        }
        // bars: the empty one, then one per batch; from 10% of the pass on, within 25% of the time really left
        for (int batch = 10; batch < 100; batch++) {
            assertThat((double) etaSeconds(bars.get(batch))).as("ETA after batch %d: %s", batch, bars.get(batch))
                    .isCloseTo((100 - batch) * 10, withinPercentage(25));
        }
    }

    @Test
    void aQuickPassLeavesNoLineAndQuietShowsNothing() {
        try (Progress progress = pass(false)) {
            progress.advance(100);
        }
        try (Progress quiet = new Progress("evaluate", 10, "img", () -> now, display, true, false)) {
            now += 20 * SECOND;
            quiet.advance(10);
        }
        assertThat(bars).isEmpty();
        assertThat(lines).isEmpty();
    }

    @Test
    void aBarNeverOutgrowsTheTerminal() {
        String bar = ProgressText.bar("a rather long task name", 5, 1000, "img",
                new ProgressText.Speed(5, 5), "loss 0.1234", 40);
        assertThat(bar).hasSizeLessThanOrEqualTo(40).startsWith("a rather long task name 5/1000 img");
        assertThat(ProgressText.clock(3725)).isEqualTo("1:02:05");
    }
}
