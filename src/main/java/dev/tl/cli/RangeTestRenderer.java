package dev.tl.cli;

import dev.tl.train.RangeTest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code tl lr-find}'s result: the table of learning rate, loss and smoothed loss with the suggestion, or JSON with
 * {@code suggested_lr}, {@code method}, {@code diverged}, {@code plot} and all points.
 */
final class RangeTestRenderer implements Renderer<RangeTestRenderer.Result> {

    private static final String METHOD = "start of the steepest persistent fall of the smoothed loss";

    /** The finished test and where its plot went (null without one). */
    record Result(RangeTest test, Path plot) {
    }

    @Override
    public Object json(Result result) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("suggested_lr", result.test().suggestion());
        document.put("method", METHOD);
        document.put("diverged", result.test().diverged());
        if (result.plot() != null) {
            document.put("plot", result.plot().toString());
        }
        document.put("points", result.test().points());
        return document;
    }

    @Override
    public String text(Result result) {
        RangeTest test = result.test();
        StringBuilder out = new StringBuilder(String.format("%10s  %10s  %10s%n", "lr", "loss", "smoothed"));
        for (RangeTest.Point point : test.points()) {
            out.append(String.format(Locale.ROOT, "%10.2e  %10.4f  %10.4f%n", point.learningRate(), point.loss(),
                    point.smoothedLoss()));
        }
        if (test.diverged()) {
            out.append(String.format("stopped after %d of %d steps: the loss diverged%n", test.points().size(),
                    test.steps()));
        }
        out.append(String.format(Locale.ROOT, "suggested learning rate: %.2e (%s)", test.suggestion(), METHOD));
        if (result.plot() != null) {
            out.append(String.format("%nplot: %s", result.plot()));
        }
        return out.toString();
    }
}
