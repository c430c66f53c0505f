package dev.tl.eval;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Computes an {@link EvaluationReport} from predicted class probabilities and true labels. */
public final class Metrics {

    /** Probabilities are clipped here before the log, as Keras does, so one confident mistake cannot give inf. */
    private static final double EPSILON = 1e-7;

    private Metrics() {
    }

    /** Mean categorical cross-entropy and accuracy only: the per-epoch validation numbers. */
    public record Score(double loss, double accuracy) {
    }

    public static Score score(INDArray probabilities, int[] labels) {
        return score(probabilities.toFloatMatrix(), labels);
    }

    public static Score score(float[][] probabilities, int[] labels) {
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            loss += loss(probabilities[i][labels[i]]);
            if (argMax(probabilities[i]) == labels[i]) {
                correct++;
            }
        }
        return new Score(loss / labels.length, (double) correct / labels.length);
    }

    /** One image's cross-entropy: minus the log of the probability given to its true class. */
    static double loss(float trueClassProbability) {
        return -Math.log(Math.max(trueClassProbability, EPSILON));
    }

    static int argMax(float[] row) {
        int best = 0;
        for (int j = 1; j < row.length; j++) {
            if (row[j] > row[best]) {
                best = j;
            }
        }
        return best;
    }

    public static EvaluationReport report(float[][] rows, int[] labels, List<String> classes) {
        int k = classes.size();
        int[][] confusion = new int[k][k];
        for (int i = 0; i < labels.length; i++) {
            confusion[labels[i]][argMax(rows[i])]++;
        }
        List<ClassMetrics> perClass = new ArrayList<>();
        double sumPrecision = 0;
        double sumRecall = 0;
        double sumF1 = 0;
        for (int c = 0; c < k; c++) {
            int truePositives = confusion[c][c];
            int predicted = 0;
            int actual = 0;
            for (int j = 0; j < k; j++) {
                predicted += confusion[j][c];
                actual += confusion[c][j];
            }
            double precision = predicted == 0 ? 0 : (double) truePositives / predicted;
            double recall = actual == 0 ? 0 : (double) truePositives / actual;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perClass.add(new ClassMetrics(classes.get(c), precision, recall, f1, actual));
            sumPrecision += precision;
            sumRecall += recall;
            sumF1 += f1;
        }
        Score score = score(rows, labels);
        return new EvaluationReport(labels.length, score.loss(), score.accuracy(), classes, perClass,
                new EvaluationReport.Averages(sumPrecision / k, sumRecall / k, sumF1 / k), confusion);
    }
}
