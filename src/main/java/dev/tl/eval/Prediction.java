package dev.tl.eval;

import java.util.List;

/** The top-k classes of one image; or, for an input that cannot be used, none and the error (else null). */
public record Prediction(String path, List<Label> predictions, String error) {

    public record Label(String label, double probability) {
    }

    /** The record of an input left out. */
    public static Prediction skipped(String path, String error) {
        return new Prediction(path, List.of(), error);
    }
}
