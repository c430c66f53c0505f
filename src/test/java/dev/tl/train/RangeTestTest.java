package dev.tl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The range test's learning rates, smoothing, stopping rule and suggestion, on synthetic loss curves. */
class RangeTestTest {

    @Test
    void learningRatesGrowExponentiallyFromStartToEnd() {
        RangeTest test = new RangeTest(1e-6, 1.0, 7);
        assertThat(test.learningRate(0)).isEqualTo(1e-6);
        assertThat(test.learningRate(3)).isCloseTo(1e-3, within(1e-15));
        assertThat(test.learningRate(6)).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void smoothingIsABiasCorrectedMovingAverage() {
        RangeTest test = new RangeTest(1e-3, 1, 10);
        test.record(2.0);
        test.record(1.0);
        List<RangeTest.Point> points = test.points();
        assertThat(points.get(0).smoothedLoss()).isCloseTo(2.0, within(1e-12)); // no bias towards 0
        assertThat(points.get(1).smoothedLoss()).isCloseTo((0.98 * 0.02 * 2 + 0.02) / (1 - 0.98 * 0.98), within(1e-12));
    }

    @Test
    void stopsWhenTheSmoothedLossExceedsFourTimesItsBest() {
        RangeTest test = new RangeTest(1e-4, 10, 100);
        int recorded = 0;
        double loss = 1.0;
        while (test.record(loss)) {
            recorded++;
            loss = recorded < 20 ? 1.0 : loss * 2;
        }
        assertThat(test.diverged()).isTrue();
        assertThat(test.points()).hasSizeLessThan(100);
        RangeTest.Point last = test.points().get(test.points().size() - 1);
        assertThat(last.smoothedLoss()).isGreaterThan(4 * 1.0);
    }

    @Test
    void runsAllStepsWhileTheLossStaysBounded() {
        RangeTest test = new RangeTest(1e-4, 10, 30);
        int records = 1;
        while (test.record(1.0)) {
            records++;
        }
        assertThat(records).isEqualTo(30);
        assertThat(test.diverged()).isFalse();
    }

    @Test
    void suggestsWhereTheSmoothedLossFallsFastestBeforeItsMinimum() {
        int steps = 60;
        RangeTest test = new RangeTest(1e-5, 1, steps);
        // Flat, a steep drop centred at step 30, flat again, then exploding.
        for (int i = 0; test.record(i < 45 ? 2 - Math.tanh((i - 30) / 3.0) : Math.pow(3, i - 44)); i++) {
            // recording
        }
        double suggestion = test.suggestion();
        // The moving average lags the raw curve by a few steps.
        assertThat(suggestion).isBetween(test.learningRate(30), test.learningRate(38));
        assertThat(suggestion).isBetween(1e-5, 1.0);
    }

    @Test
    void aTestMustRiseFromAPositiveRateInTwoStepsOrMore() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RangeTest(0, 1, 10));
        assertThatIllegalArgumentException().isThrownBy(() -> new RangeTest(1e-3, 1e-3, 10));
        assertThatIllegalArgumentException().isThrownBy(() -> new RangeTest(1e-3, 1, 1));
    }

    @Test
    void thePlotLeavesTheDivergenceAboveItsTop() {
        List<RangeTest.Point> points = List.of(new RangeTest.Point(1e-5, 0.70, 0.70),
                new RangeTest.Point(1e-4, 0.65, 0.68), new RangeTest.Point(1e-3, 0.40, 0.55),
                new RangeTest.Point(1e-2, 0.30, 0.45), new RangeTest.Point(1e-1, 5.0, 1.9),
                new RangeTest.Point(1, 40.0, 9.5));

        double top = RangeTestPlot.upperLimit(points, 0.30);

        assertThat(top).isCloseTo(0.70 + 0.1 * 0.40, within(1e-9));
    }
}
