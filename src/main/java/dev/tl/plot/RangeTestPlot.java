package dev.tl.plot;

import dev.tl.AtomicFiles;
import dev.tl.train.RangeTest;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Loss against learning rate (log axis) of a range test, with the suggested learning rate marked, as a PNG. The
 * loss axis ends a little above the highest smoothed loss before its minimum, as fastai's plot does by leaving out
 * the last steps: the divergence at the end would otherwise flatten the part of the curve that matters.
 */
public final class RangeTestPlot {

    private RangeTestPlot() {
    }

    /** Writes the plot to {@code file} (written aside, then moved into place). */
    public static void write(RangeTest test, Path file) {
        List<RangeTest.Point> points = test.points();
        XYChart chart = new XYChartBuilder().width(800).height(500).title("Learning-rate range test")
                .xAxisTitle("learning rate").yAxisTitle("loss").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setXAxisDecimalPattern("0.0E0");
        List<Double> rates = points.stream().map(RangeTest.Point::learningRate).toList();
        chart.addSeries("loss", rates, points.stream().map(RangeTest.Point::loss).toList())
                .setMarker(SeriesMarkers.NONE);
        chart.addSeries("smoothed loss", rates, points.stream().map(RangeTest.Point::smoothedLoss).toList())
                .setMarker(SeriesMarkers.NONE);
        double suggestion = test.suggestion();
        double low = points.stream().mapToDouble(p -> Math.min(p.loss(), p.smoothedLoss())).min().orElse(0);
        double high = upperLimit(points, test.lowest(), low);
        chart.getStyler().setYAxisMin(low);
        chart.getStyler().setYAxisMax(high);
        XYSeries marker = chart.addSeries(String.format(Locale.ROOT, "suggested %.2e", suggestion),
                new double[] {suggestion, suggestion}, new double[] {low, high});
        marker.setMarker(SeriesMarkers.NONE);
        AtomicFiles.writePng(file, BitmapEncoder.getBufferedImage(chart));
    }

    /** 10% above the highest smoothed loss up to the lowest one: what lies above that is the divergence. */
    static double upperLimit(List<RangeTest.Point> points, int lowest, double low) {
        double top = points.subList(0, lowest + 1).stream().mapToDouble(RangeTest.Point::smoothedLoss).max()
                .orElse(low + 1);
        return top + 0.1 * Math.max(top - low, 1e-6);
    }
}
