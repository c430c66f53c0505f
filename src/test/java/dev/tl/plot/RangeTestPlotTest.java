package dev.tl.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tl.train.RangeTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The range test's plot shows the part of the curve that matters. */
class RangeTestPlotTest {

    @Test
    void thePlotLeavesTheDivergenceAboveItsTop() {
        List<RangeTest.Point> points = List.of(new RangeTest.Point(1e-5, 0.70, 0.70),
                new RangeTest.Point(1e-4, 0.65, 0.68), new RangeTest.Point(1e-3, 0.40, 0.55),
                new RangeTest.Point(1e-2, 0.30, 0.45), new RangeTest.Point(1e-1, 5.0, 1.9),
                new RangeTest.Point(1, 40.0, 9.5));

        double top = RangeTestPlot.upperLimit(points, 3, 0.30);

        assertThat(top).isCloseTo(0.70 + 0.1 * 0.40, within(1e-9));
    }
}
