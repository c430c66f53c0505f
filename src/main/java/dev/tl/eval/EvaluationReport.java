package dev.tl.eval;

import java.util.List;

/**
 * Classification quality on a labelled set. {@code confusionMatrix[i][j]} counts images of true class i predicted
 * as class j; rows and columns follow {@code classes}.
 */
public record EvaluationReport(int images, double loss, double accuracy, List<String> classes,
                               List<ClassMetrics> perClass, Averages macroAverage, int[][] confusionMatrix) {

    public record Averages(double precision, double recall, double f1) {
    }
}
