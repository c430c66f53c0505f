package dev.tl.cli;

import dev.tl.eval.Prediction;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * {@code tl predict}'s results: one line per image ({@code path<TAB>label probability<TAB>...}), or a JSON array.
 * In text, a backslash, tab or line break inside a path or label is written as {@code \\}, {@code \t},
 * {@code \n} or {@code \r}, so every image stays one line of tab-separated fields.
 */
final class PredictionsRenderer implements Renderer<List<Prediction>> {

    @Override
    public String text(List<Prediction> predictions) {
        return predictions.stream().map(prediction -> escape(prediction.path()) + prediction.predictions().stream()
                        .map(label -> String.format(Locale.ROOT, "\t%s %.4f", escape(label.label()),
                                label.probability()))
                        .collect(Collectors.joining()))
                .collect(Collectors.joining("\n"));
    }

    static String escape(String field) {
        return field.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }
}
