package dev.tl.train.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tl.TlException;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The documented shape of every schedule's learning-rate curve. */
class LearningRateScheduleTest {

    private static final int PER_EPOCH = 10;

    private static LearningRateSchedule schedule(ScheduleSettings settings, int epochs) {
        return settings.forPhase(epochs, PER_EPOCH);
    }

    private static double[] curve(LearningRateSchedule schedule, int iterations) {
        return IntStream.range(0, iterations).mapToDouble(schedule::factor).toArray();
    }

    @Test
    void constantIsOneThroughout() {
        assertThat(curve(schedule(ScheduleSettings.CONSTANT, 3), 30)).containsOnly(1.0);
    }

    @Test
    void warmupRisesLinearlyToTheScheduleThenLeavesItAlone() {
        LearningRateSchedule schedule = schedule(new ScheduleSettings(new ConstantSchedule(), 1.5), 4);
        // 1.5 epochs of 10 mini-batches: 15 steps of 1/15.
        double[] expected = IntStream.range(0, 40).mapToDouble(i -> Math.min(1.0, (i + 1) / 15.0)).toArray();
        assertThat(curve(schedule, 40)).containsExactly(expected, within(1e-12));
    }

    @Test
    void stepMultipliesByGammaEveryStepSizeEpochs() {
        LearningRateSchedule schedule = schedule(new ScheduleSettings(new StepSchedule(2, 0.5), null), 6);
        for (int epoch = 0; epoch < 6; epoch++) {
            double expected = Math.pow(0.5, epoch / 2);
            for (int i = epoch * PER_EPOCH; i < (epoch + 1) * PER_EPOCH; i++) {
                assertThat(schedule.factor(i)).as("iteration %d", i).isEqualTo(expected);
            }
        }
    }

    @Test
    void cosineFallsFromOneToZeroAlongAHalfCosineAfterTheWarmup() {
        LearningRateSchedule plain = schedule(new ScheduleSettings(new CosineSchedule(), null), 2);
        assertThat(plain.factor(0)).isEqualTo(1.0);
        assertThat(plain.factor(10)).isCloseTo(0.5, within(1e-12)); // half way
        assertThat(plain.factor(5)).isCloseTo((1 + Math.cos(Math.PI / 4)) / 2, within(1e-12));
        assertThat(plain.factor(19)).isCloseTo((1 + Math.cos(Math.PI * 19 / 20)) / 2, within(1e-12)).isLessThan(0.01);
        assertDecreasing(curve(plain, 20));

        LearningRateSchedule warm = schedule(new ScheduleSettings(new CosineSchedule(), 1.0), 3);
        assertThat(warm.factor(4)).isCloseTo(0.5, within(1e-12)); // warming up: 5/10
        assertThat(warm.factor(9)).isEqualTo(1.0);
        assertThat(warm.factor(10)).isEqualTo(1.0); // the cosine starts when warmup ends...
        assertThat(warm.factor(20)).isCloseTo(0.5, within(1e-12)); // ...and spans the remaining 20 mini-batches
    }

    @Test
    void oneCycleRisesFromAFractionOfTheMaximumToItThenAnnealsFarBelow() {
        LearningRateSchedule schedule = schedule(new ScheduleSettings(new OneCycleSchedule(), null), 7);
        double[] factors = curve(schedule, 70);
        // PyTorch OneCycleLR defaults: start at max/25, peak at step 0.3 * 70 - 1 = 20, end at max/(25 * 1e4).
        assertThat(factors[0]).isCloseTo(1 / 25.0, within(1e-12));
        assertThat(factors[10]).isCloseTo((1 / 25.0 + 1) / 2, within(1e-12)); // half way up the cosine
        assertThat(factors[20]).isCloseTo(1.0, within(1e-12));
        assertThat(factors[69]).isCloseTo(1 / 25.0 / 1e4, within(1e-15));
        assertIncreasing(Arrays.copyOfRange(factors, 0, 21));
        assertDecreasing(Arrays.copyOfRange(factors, 20, 70));
    }

    @Test
    void plateauReducesAfterMoreThanPatienceEpochsWithoutImprovement() {
        LearningRateSchedule schedule = schedule(new ScheduleSettings(new PlateauSchedule(1, 0.5), null), 10);
        double[] losses = {1.0, 0.8, 0.85, 0.9, 0.7, 0.7, 0.7, 0.7};
        double[] expected = {1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25};
        for (int epoch = 0; epoch < losses.length; epoch++) {
            schedule.epochEnded(losses[epoch]);
            assertThat(schedule.factor(epoch * PER_EPOCH + 3)).as("after epoch %d", epoch).isEqualTo(expected[epoch]);
        }
    }

    @Test
    void aScheduleWithImpossibleParametersCannotBeMade() {
        assertThatIllegalArgumentException().isThrownBy(() -> new StepSchedule(0, 0.5));
        assertThatIllegalArgumentException().isThrownBy(() -> new PlateauSchedule(1, 1));
        // a combination a user can ask for: refused with a message for the flag's owner to prefix
        assertThatThrownBy(() -> new ScheduleSettings(new OneCycleSchedule(), 1.0)).isInstanceOf(TlException.class)
                .hasMessageContaining("warms up by itself");
    }

    private static void assertDecreasing(double[] values) {
        for (int i = 1; i < values.length; i++) {
            assertThat(values[i]).as("value %d", i).isLessThan(values[i - 1]);
        }
    }

    private static void assertIncreasing(double[] values) {
        for (int i = 1; i < values.length; i++) {
            assertThat(values[i]).as("value %d", i).isGreaterThan(values[i - 1]);
        }
    }
}
