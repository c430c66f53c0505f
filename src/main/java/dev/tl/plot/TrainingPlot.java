package dev.tl.plot;

import dev.tl.AtomicFiles;
import dev.tl.train.EpochRecord;
import dev.tl.train.Phase;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code training.png}: a run's history over both phases, epochs numbered through. Above: training and validation
 * loss (left axis), training and validation accuracy (right axis); below: the learning rate each epoch started with (log
 * axis). A dashed line marks where fine-tuning starts, a green one the epoch whose weights were kept.
 */
public final class TrainingPlot {

    public static final String FILE = "training.png";
    private static final int WIDTH = 900;
    private static final Color KEPT = new Color(0, 140, 70);

    private TrainingPlot() {
    }

    /** Writes the plot of {@code history} to {@code file}; {@code kept} may be null (no validation data). */
    public static void write(List<EpochRecord> history, EpochRecord kept, Path file) {
        AtomicFiles.writePng(file, render(history, kept));
    }

    static BufferedImage render(List<EpochRecord> history, EpochRecord kept) {
        List<Integer> epochs = IntStream.rangeClosed(1, history.size()).boxed().toList();
        XYChart metrics = chart("Training", "loss", 440);
        line(metrics, "loss", epochs, values(history, EpochRecord::loss));
        boolean validated = history.stream().allMatch(epoch -> epoch.valLoss() != null);
        if (validated) {
            line(metrics, "val_loss", epochs, values(history, EpochRecord::valLoss));
        }
        List<XYSeries> accuracies = new ArrayList<>();
        if (history.stream().allMatch(epoch -> epoch.accuracy() != null)) { // an earlier tl's history has none
            accuracies.add(line(metrics, "accuracy", epochs, values(history, EpochRecord::accuracy)));
        }
        if (validated) {
            accuracies.add(line(metrics, "val_accuracy", epochs, values(history, EpochRecord::valAccuracy)));
        }
        if (!accuracies.isEmpty()) {
            accuracies.forEach(series -> series.setYAxisGroup(1));
            metrics.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
            metrics.setYAxisGroupTitle(1, "accuracy");
            metrics.getStyler().setYAxisMin(1, 0.0);
            metrics.getStyler().setYAxisMax(1, 1.0);
        }
        XYChart rates = chart(null, "learning rate", 260);
        rates.getStyler().setYAxisLogarithmic(true);
        rates.getStyler().setYAxisDecimalPattern("0.0E0");
        line(rates, "lr", epochs, values(history, EpochRecord::learningRate));
        for (XYChart chart : List.of(metrics, rates)) {
            mark(chart, history, kept);
        }
        BufferedImage image = new BufferedImage(WIDTH, metrics.getHeight() + rates.getHeight(),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        metrics.paint(g, WIDTH, metrics.getHeight());
        g.translate(0, metrics.getHeight());
        rates.paint(g, WIDTH, rates.getHeight());
        g.dispose();
        return image;
    }

    private static XYChart chart(String title, String yTitle, int height) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(height).title(title == null ? "" : title)
                .xAxisTitle("epoch (both phases)").yAxisTitle(yTitle).build();
        XYStyler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideE);
        styler.setXAxisDecimalPattern("0");
        styler.setChartTitleVisible(title != null);
        styler.setPlotGridVerticalLinesVisible(false);
        styler.setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    private static XYSeries line(XYChart chart, String name, List<Integer> epochs, List<Double> values) {
        XYSeries series = chart.addSeries(name, epochs, values);
        series.setMarker(SeriesMarkers.CIRCLE);
        return series;
    }

    /** The phase boundary and the kept epoch, at their place on the epoch axis. */
    private static void mark(XYChart chart, List<EpochRecord> history, EpochRecord kept) {
        long frozen = history.stream().filter(epoch -> epoch.phase() == Phase.FROZEN).count();
        double[] span = range(chart);
        if (frozen > 0 && frozen < history.size()) {
            chart.addSeries("fine-tune starts", new double[] {frozen + 0.5, frozen + 0.5}, span)
                    .setMarker(SeriesMarkers.NONE).setLineColor(Color.GRAY).setLineStyle(SeriesLines.DASH_DASH);
        }
        int keptIndex = kept == null ? -1 : history.indexOf(kept);
        if (keptIndex >= 0) {
            chart.addSeries("kept: " + kept.phase() + " epoch " + kept.epoch(),
                    new double[] {keptIndex + 1, keptIndex + 1}, span)
                    .setMarker(SeriesMarkers.NONE).setLineColor(KEPT).setLineStyle(new BasicStroke(2f));
        }
    }

    /** The lowest and highest value plotted on the chart's left axis, so a vertical marker spans it. */
    private static double[] range(XYChart chart) {
        double low = Double.MAX_VALUE;
        double high = -Double.MAX_VALUE;
        for (XYSeries series : chart.getSeriesMap().values()) {
            if (series.getYAxisGroup() == 0) {
                for (double y : series.getYData()) {
                    low = Math.min(low, y);
                    high = Math.max(high, y);
                }
            }
        }
        return new double[] {low, high};
    }

    private static List<Double> values(List<EpochRecord> history, Function<EpochRecord, Double> value) {
        return history.stream().map(value).map(Objects::requireNonNull).toList();
    }
}
