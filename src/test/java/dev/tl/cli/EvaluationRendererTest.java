package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.Json;
import dev.tl.eval.ClassMetrics;
import dev.tl.eval.EvaluationReport;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The text report stays readable: the confusion matrix for a few classes, the most confused pairs for many. */
class EvaluationRendererTest {

    /** Class i is mistaken for class i + 1, i mod 7 times. */
    private static EvaluateCommand.Evaluation evaluation(int classes) {
        int[][] matrix = new int[classes][classes];
        for (int i = 0; i < classes; i++) {
            matrix[i][i] = 10;
            matrix[i][(i + 1) % classes] = i % 7;
        }
        List<String> names = IntStream.range(0, classes).mapToObj(i -> "class_" + i).toList();
        List<ClassMetrics> perClass = names.stream().map(name -> new ClassMetrics(name, 0.8, 0.8, 0.8, 13)).toList();
        EvaluationReport report = new EvaluationReport(classes * 13, 1, 0.8, names, perClass,
                new EvaluationReport.Averages(0.8, 0.8, 0.8), matrix);
        return new EvaluateCommand.Evaluation(report, Json.MAPPER.createObjectNode(),
                new EvaluateCommand.Evaluated(null, Path.of("val.csv"), "csv:val.csv", "data", false));
    }

    @Test
    void aboveTwentyClassesTheMostConfusedPairsReplaceTheMatrix() {
        String many = new EvaluationRenderer().text(evaluation(2000));
        assertThat(many).doesNotContain("confusion matrix")
                .contains("most confused pairs (20 of 1714; the matrix of 2000 classes is in --json and "
                        + "evaluation.json)")
                .containsPattern("class_6 +class_7 +6\n");
        assertThat(many.length()).as("a line per class and per pair, not a 2000 x 2000 matrix")
                .isLessThan(2030 * 60);

        String few = new EvaluationRenderer().text(evaluation(20));
        assertThat(few).contains("confusion matrix (rows: true class, columns: predicted)")
                .doesNotContain("most confused");
    }
}
