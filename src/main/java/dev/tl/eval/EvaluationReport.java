package dev.tl.eval;

import java.util.List;
import java.util.Locale;

/**
 * Classification quality on a labelled set. {@code confusionMatrix[i][j]} counts images of true class i predicted
 * as class j; rows and columns follow {@code classes}.
 */
public record EvaluationReport(int images, double loss, double accuracy, List<String> classes,
                               List<ClassMetrics> perClass, Averages macroAverage, int[][] confusionMatrix) {

    public record Averages(double precision, double recall, double f1) {
    }

    /** A human-readable table. */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        int width = Math.max(12, classes.stream().mapToInt(String::length).max().orElse(0) + 2);
        out.append(String.format(Locale.ROOT, "images    %d%nloss      %.4f%naccuracy  %.4f%n%n", images, loss, accuracy));
        out.append(String.format(Locale.ROOT, "%-" + width + "s %9s %9s %9s %9s%n", "class", "precision", "recall",
                "f1", "support"));
        for (ClassMetrics m : perClass) {
            out.append(String.format(Locale.ROOT, "%-" + width + "s %9.4f %9.4f %9.4f %9d%n", m.name(), m.precision(),
                    m.recall(), m.f1(), m.support()));
        }
        out.append(String.format(Locale.ROOT, "%-" + width + "s %9.4f %9.4f %9.4f %9d%n%n", "macro avg",
                macroAverage.precision(), macroAverage.recall(), macroAverage.f1(), images));
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
                        confusionMatrix[i][j]));
            }
            out.append('\n');
        }
        return out.toString();
    }
}
