package dev.tl.train;

import java.util.function.Supplier;

/**
 * How a phase, or a whole run, ended: all its epochs ran, a listener stopped it early (early stopping, the range
 * test's end), or a listener failed it (a loss or weight stopped being finite), each stop with its reason.
 */
public sealed interface Outcome {

    record Completed() implements Outcome {
    }

    record StoppedEarly(String reason) implements Outcome {
    }

    record Failed(String reason) implements Outcome {
    }

    Outcome COMPLETED = new Completed();

    /**
     * This phase's outcome followed by the next phase's, as the run's: a failure ends the run, so it is the run's
     * outcome; a phase stopped early still counts when the next one completes.
     */
    default Outcome then(Supplier<Outcome> next) {
        if (this instanceof Failed) {
            return this;
        }
        Outcome after = next.get();
        return after instanceof Completed ? this : after;
    }
}
