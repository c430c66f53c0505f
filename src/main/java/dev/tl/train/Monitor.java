package dev.tl.train;


/** The validation metric that decides which epoch's weights are kept and when a phase stops early. */
public enum Monitor {
    /** Higher accuracy wins; at equal accuracy, lower loss. */
    VAL_ACCURACY("val_accuracy"),
    /** Lower loss wins; at equal loss, higher accuracy. */
    VAL_LOSS("val_loss");

    private final String id;

    Monitor(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Whether {@code candidate} (an epoch with validation numbers) beats {@code best} (null: nothing yet). */
    public boolean better(EpochRecord candidate, EpochRecord best) {
        if (best == null) {
            return true;
        }
        int byAccuracy = Double.compare(candidate.valAccuracy(), best.valAccuracy());
        int byLoss = Double.compare(best.valLoss(), candidate.valLoss());   // positive when the candidate's is lower
        return this == VAL_ACCURACY ? byAccuracy > 0 || (byAccuracy == 0 && byLoss > 0)
                : byLoss > 0 || (byLoss == 0 && byAccuracy > 0);
    }
}
