package dev.tl.cli;

import dev.tl.eval.Prediction;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** {@code tl predict}'s results: one line per image ({@code path<TAB>label probability<TAB>...}), or a JSON array. */
final class PredictionsRenderer implements Renderer<List<Prediction>> {

    @Override
    public String text(List<Prediction> predictions) {
        return predictions.stream().map(prediction -> prediction.path() + prediction.predictions().stream()
                        .map(label -> String.format(Locale.ROOT, "\t%s %.4f", label.label(), label.probability()))
                        .collect(Collectors.joining()))
                .collect(Collectors.joining("\n"));
    }
}
