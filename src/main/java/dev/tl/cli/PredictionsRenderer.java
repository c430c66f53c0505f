package dev.tl.cli;

import dev.tl.Csv;
import dev.tl.eval.Prediction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code tl predict}'s results, one record per input file: a line ({@code path<TAB>label probability<TAB>...}, or
 * {@code path<TAB>error: why} for a file left out), a JSON array, or CSV with the columns
 * {@code path,label_1,probability_1,...,label_K,probability_K,error}. In text, a backslash, tab or line break inside
 * a path or label is written as {@code \\}, {@code \t}, {@code \n} or {@code \r}, so every image stays one line of
 * tab-separated fields.
 */
final class PredictionsRenderer implements Renderer<List<Prediction>> {

    @Override
    public String text(List<Prediction> predictions) {
        return predictions.stream().map(prediction -> escape(prediction.path()) + (prediction.error() != null
                        ? "\terror: " + escape(prediction.error()) : prediction.predictions().stream()
                        .map(label -> String.format(Locale.ROOT, "\t%s %.4f", escape(label.label()),
                                label.probability()))
                        .collect(Collectors.joining())))
                .collect(Collectors.joining("\n"));
    }

    @Override
    public Optional<String> csv(List<Prediction> predictions) {
        int k = predictions.stream().mapToInt(prediction -> prediction.predictions().size()).max().orElse(0);
        List<String> header = new ArrayList<>(List.of("path"));
        for (int rank = 1; rank <= k; rank++) {
            header.add("label_" + rank);
            header.add("probability_" + rank);
        }
        header.add("error");
        List<List<String>> rows = predictions.stream().map(prediction -> {
            List<String> row = new ArrayList<>(List.of(prediction.path()));
            prediction.predictions().forEach(label -> {
                row.add(label.label());
                row.add(String.format(Locale.ROOT, "%.6f", label.probability()));
            });
            while (row.size() < header.size() - 1) {
                row.add("");
            }
            row.add(prediction.error() == null ? "" : prediction.error());
            return row;
        }).toList();
        return Optional.of(Csv.write(header, rows));
    }

    static String escape(String field) {
        return field.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }
}
