package dev.tl.eval;

import java.util.List;

/** The top-k classes of one image. */
public record Prediction(String path, List<Label> predictions) {

    public record Label(String label, double probability) {
    }
}
