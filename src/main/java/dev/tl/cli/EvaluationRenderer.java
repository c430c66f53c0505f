package dev.tl.cli;

import dev.tl.bundle.ModelBundle;
import dev.tl.eval.ClassMetrics;
import dev.tl.eval.EvaluationReport;
import dev.tl.plot.ConfusionPlot;
import java.util.List;
import java.util.Locale;

/**
 * {@code tl evaluate}'s report: a table of metrics and the confusion matrix (above
 * {@value ConfusionPlot#MAX_MATRIX_CLASSES} classes, its most confused pairs, as {@code confusion.png} shows), or its
 * JSON document.
 */
final class EvaluationRenderer implements Renderer<EvaluateCommand.Evaluation> {

    @Override
    public Object json(EvaluateCommand.Evaluation result) {
        return result.document();
    }

    @Override
    public String text(EvaluateCommand.Evaluation result) {
        EvaluationReport report = result.report();
        List<String> classes = report.classes();
        StringBuilder out = new StringBuilder();
        int width = Math.max(12, classes.stream().mapToInt(String::length).max().orElse(0) + 2);
        out.append(set(result.on()));
        out.append(String.format(Locale.ROOT, "images    %d%nloss      %.4f%naccuracy  %.4f%n%n", report.images(),
                report.loss(), report.accuracy()));
        out.append(String.format(Locale.ROOT, "%-" + width + "s %9s %9s %9s %9s%n", "class", "precision", "recall",
                "f1", "support"));
        for (ClassMetrics m : report.perClass()) {
            out.append(String.format(Locale.ROOT, "%-" + width + "s %9.4f %9.4f %9.4f %9d%n", m.name(), m.precision(),
                    m.recall(), m.f1(), m.support()));
        }
        EvaluationReport.Averages macro = report.macroAverage();
        out.append(String.format(Locale.ROOT, "%-" + width + "s %9.4f %9.4f %9.4f %9d%n%n", "macro avg",
                macro.precision(), macro.recall(), macro.f1(), report.images()));
        if (classes.size() > ConfusionPlot.MAX_MATRIX_CLASSES) {
            return out.append(mostConfused(report, width)).toString();
        }
        out.append("confusion matrix (rows: true class, columns: predicted)\n");
        out.append(String.format(Locale.ROOT, "%-" + width + "s", ""));
        for (String name : classes) {
            out.append(String.format(Locale.ROOT, " %" + Math.max(6, name.length()) + "s", name));
        }
        out.append('\n');
        for (int i = 0; i < classes.size(); i++) {
            out.append(String.format(Locale.ROOT, "%-" + width + "s", classes.get(i)));
            for (int j = 0; j < classes.size(); j++) {
                out.append(String.format(Locale.ROOT, " %" + Math.max(6, classes.get(j).length()) + "d",
                        report.confusionMatrix()[i][j]));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The pairs of classes confused most often: a matrix of hundreds of classes would be megabytes of text. */
    private static String mostConfused(EvaluationReport report, int width) {
        List<ConfusionPlot.Pair> pairs = ConfusionPlot.mostConfused(report);
        List<ConfusionPlot.Pair> shown = pairs.subList(0, Math.min(ConfusionPlot.TOP_PAIRS, pairs.size()));
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "most confused pairs (%d of %d; the "
                + "matrix of %d classes is in --json and %s)%n", shown.size(), pairs.size(), report.classes().size(),
                ModelBundle.EVALUATION_FILE));
        out.append(String.format(Locale.ROOT, "%-" + width + "s %-" + width + "s %9s%n", "true class", "predicted",
                "images"));
        for (ConfusionPlot.Pair pair : shown) {
            out.append(String.format(Locale.ROOT, "%-" + width + "s %-" + width + "s %9d%n", pair.trueClass(),
                    pair.predicted(), pair.count()));
        }
        return out.toString();
    }

    /** Which images these are; for the validation set, that the numbers flatter the model and what does not. */
    private static String set(EvaluateCommand.Evaluated on) {
        return switch (on.name()) {
            case "data" -> "set       " + on.data().toAbsolutePath().normalize() + "\n";
            case "test" -> "set       the model's held-out test set (" + on.data() + ")\n";
            default -> "set       the model's validation set (" + on.data() + ")\n"
                    + "          it chose the kept epoch, so these numbers are optimistic; for an unbiased\n"
                    + "          estimate train with --test-split F, or evaluate with --data on other images\n";
        };
    }
}
