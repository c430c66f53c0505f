package dev.tl.train;

import dev.tl.TlException;

/** Training stopped because the loss or the weights stopped being finite numbers: exit code 3. */
public final class TrainingDiverged extends TlException {

    public static final int EXIT_CODE = 3;

    public TrainingDiverged(String message) {
        super(message);
    }

    @Override
    public int exitCode() {
        return EXIT_CODE;
    }
}
