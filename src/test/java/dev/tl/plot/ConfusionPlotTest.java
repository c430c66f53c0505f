package dev.tl.plot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.eval.EvaluationReport;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The confusion picture stays readable: a matrix for a few classes, the most confused pairs for many. */
class ConfusionPlotTest {

    @TempDir
    Path work;

    private static EvaluationReport report(int classes) {
        int[][] matrix = new int[classes][classes];
        for (int i = 0; i < classes; i++) {
            matrix[i][i] = 10;
            matrix[i][(i + 1) % classes] = i % 7; // class i mistaken for the next one, 0 to 6 times
        }
        List<String> names = IntStream.range(0, classes).mapToObj(i -> "class_" + i).toList();
        return new EvaluationReport(classes * 13, 1, 0.8, names, List.of(), new EvaluationReport.Averages(0, 0, 0),
                matrix);
    }

    @Test
    void manyClassesShowTheMostConfusedPairs() throws Exception {
        EvaluationReport hundred = report(100);
        List<ConfusionPlot.Pair> pairs = ConfusionPlot.mostConfused(hundred);

        assertThat(pairs).hasSize(100 - 100 / 7 - 1).isSortedAccordingTo((a, b) -> b.count() - a.count());
        assertThat(pairs.get(0)).isEqualTo(new ConfusionPlot.Pair("class_6", "class_7", 6));

        Path file = work.resolve("confusion.png");
        ConfusionPlot.write(hundred, file);
        BufferedImage many = ImageIO.read(file.toFile());
        BufferedImage few = ConfusionPlot.render(report(3));
        assertThat(many.getWidth()).isEqualTo(900); // a bar chart of 20 pairs, not a 100 x 100 grid
        assertThat(few.getHeight()).isEqualTo(420);
    }
}
