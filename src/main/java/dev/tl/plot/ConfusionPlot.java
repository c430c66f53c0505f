package dev.tl.plot;

import dev.tl.AtomicFiles;
import dev.tl.eval.EvaluationReport;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.HeatMapStyler;

/**
 * {@code confusion.png}: the confusion matrix as a heat map with the count in every cell, true classes down,
 * predicted across. With more than {@value #MAX_MATRIX_CLASSES} classes the cells would be too small to read, so
 * it shows the {@value #TOP_PAIRS} most confused pairs instead (fastai's {@code most_confused}).
 */
public final class ConfusionPlot {

    public static final String FILE = "confusion.png";
    /** Above this many classes a matrix is unreadable (on screen or in a terminal): the most confused pairs instead. */
    public static final int MAX_MATRIX_CLASSES = 20;
    public static final int TOP_PAIRS = 20;

    /** A true class confused for a predicted one, {@code count} times. */
    public record Pair(String trueClass, String predicted, int count) {
    }

    private ConfusionPlot() {
    }

    public static void write(EvaluationReport report, Path file) {
        AtomicFiles.writePng(file, render(report));
    }

    static BufferedImage render(EvaluationReport report) {
        return report.classes().size() <= MAX_MATRIX_CLASSES ? matrix(report) : pairs(report);
    }

    /** The off-diagonal cells with a count, most frequent first. */
    public static List<Pair> mostConfused(EvaluationReport report) {
        List<Pair> pairs = new ArrayList<>();
        int[][] matrix = report.confusionMatrix();
        for (int i = 0; i < matrix.length; i++) {
            for (int j = 0; j < matrix.length; j++) {
                if (i != j && matrix[i][j] > 0) {
                    pairs.add(new Pair(report.classes().get(i), report.classes().get(j), matrix[i][j]));
                }
            }
        }
        pairs.sort(Comparator.comparingInt(Pair::count).reversed());
        return pairs;
    }

    private static BufferedImage matrix(EvaluationReport report) {
        List<String> classes = report.classes();
        int side = Math.max(420, 140 + classes.size() * 42);
        HeatMapChart chart = new HeatMapChartBuilder().width(side + 120).height(side).title("Confusion matrix ("
                + report.images() + " images)").xAxisTitle("predicted").yAxisTitle("true").build();
        HeatMapStyler styler = chart.getStyler();
        styler.setShowValue(true);
        styler.setRangeColors(new Color[] {new Color(247, 251, 255), new Color(8, 81, 156)});
        styler.setValueFontColor(Color.BLACK);
        styler.setHeatMapValueDecimalPattern("0");
        styler.setPlotContentSize(1);
        styler.setLegendVisible(false);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setXAxisLabelRotation(classes.size() > 6 ? 45 : 0);
        // Rows top-down in class order: the heat map's y axis counts upwards.
        List<String> rows = new ArrayList<>(classes);
        Collections.reverse(rows);
        List<Number[]> cells = new ArrayList<>();
        int[][] counts = report.confusionMatrix();
        int max = 1;
        for (int i = 0; i < classes.size(); i++) {
            for (int j = 0; j < classes.size(); j++) {
                cells.add(new Number[] {j, classes.size() - 1 - i, counts[i][j]});
                max = Math.max(max, counts[i][j]);
            }
        }
        chart.getStyler().setMin(0).setMax(max);
        chart.addSeries("confusion", classes, rows, cells);
        return BitmapEncoder.getBufferedImage(chart);
    }

    private static BufferedImage pairs(EvaluationReport report) {
        List<Pair> top = mostConfused(report).stream().limit(TOP_PAIRS).toList();
        CategoryChart chart = new CategoryChartBuilder().width(900).height(560)
                .title("Most confused pairs (" + report.classes().size() + " classes, " + report.images()
                        + " images)").xAxisTitle("true → predicted").yAxisTitle("images").build();
        CategoryStyler styler = chart.getStyler();
        styler.setLegendVisible(false);
        styler.setXAxisLabelRotation(60);
        styler.setYAxisDecimalPattern("0");
        styler.setLabelsVisible(true);
        styler.setChartBackgroundColor(Color.WHITE);
        if (top.isEmpty()) {
            chart.setTitle("No image was misclassified (" + report.images() + " images)");
            chart.addSeries("confused", List.of("none"), List.of(0));
        } else {
            chart.addSeries("confused", top.stream().map(pair -> pair.trueClass() + " → " + pair.predicted())
                    .toList(), top.stream().map(Pair::count).toList());
        }
        return BitmapEncoder.getBufferedImage(chart);
    }
}
