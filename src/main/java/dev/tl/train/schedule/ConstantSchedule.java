package dev.tl.train.schedule;

/** A fixed learning rate: each phase's base rate throughout. */
public record ConstantSchedule() implements Schedule {

    @Override
    public String name() {
        return "constant";
    }

    @Override
    public LearningRateSchedule curve(int epochs, int iterationsPerEpoch, int warmupIterations) {
        return iteration -> 1.0;
    }
}
