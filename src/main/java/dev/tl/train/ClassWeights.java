package dev.tl.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.Csv;
import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.data.ImageSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-class multipliers of the training loss, against class imbalance: an image of a class weighted w counts as w
 * images. Kept in class order; in tl-model.json a map from class name to weight.
 */
public record ClassWeights(Map<String, Double> byClass) {

    private static final String CLASS = "class";
    private static final String WEIGHT = "weight";

    public ClassWeights {
        byClass = Collections.unmodifiableMap(new LinkedHashMap<>(byClass));
    }

    /** The weights in class order. */
    public double[] vector() {
        return byClass.values().stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** How a run's class weights are chosen: none, balanced on the training images, or from a file. */
    public record Choice(Kind kind, Path file) {

        public enum Kind { NONE, AUTO, FILE }

        public static final Choice NONE = new Choice(Kind.NONE, null);

        /** {@code none}, {@code auto}, or a .json or .csv file that exists. */
        public static Choice parse(String value) {
            if (value.equalsIgnoreCase("none")) {
                return NONE;
            }
            if (value.equalsIgnoreCase("auto")) {
                return new Choice(Kind.AUTO, null);
            }
            Path file = Path.of(value);
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (!name.endsWith(".json") && !name.endsWith(".csv")) {
                throw new TlException("expected auto, none or a .json or .csv file of class weights, got '"
                        + value + "'");
            }
            if (!Files.isRegularFile(file)) {
                throw new TlException("no such file: " + file);
            }
            return new Choice(Kind.FILE, file);
        }

        /** The weights for {@code train}'s classes, or null for none. */
        public ClassWeights resolve(ImageSet train) {
            return switch (kind) {
                case NONE -> null;
                case AUTO -> balanced(train);
                case FILE -> ofClasses(file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")
                        ? readJson(file) : readCsv(file), train.classes(), file);
            };
        }

        @Override
        public String toString() {
            return kind == Kind.FILE ? file.toString() : kind.name().toLowerCase(Locale.ROOT);
        }
    }

    /** scikit-learn's "balanced": {@code n_images / (n_classes * n_images_of_class)}, so every class weighs the same. */
    public static ClassWeights balanced(ImageSet train) {
        int[] counts = train.countsPerClass();
        Map<String, Double> weights = new LinkedHashMap<>();
        for (int c = 0; c < counts.length; c++) {
            weights.put(train.classes().get(c), (double) train.size() / (counts.length * counts[c]));
        }
        return new ClassWeights(weights);
    }

    private static ClassWeights ofClasses(Map<String, Double> weights, List<String> classes, Path file) {
        for (String name : weights.keySet()) {
            if (!classes.contains(name)) {
                throw new TlException(file + ": unknown class '" + name + "' (the classes are "
                        + classes + ")");
            }
        }
        Map<String, Double> ordered = new LinkedHashMap<>();
        for (String name : classes) {
            if (!weights.containsKey(name)) {
                throw new TlException(file + ": no weight for class '" + name
                        + "' (every class needs one: " + classes + ")");
            }
            ordered.put(name, weights.get(name));
        }
        return new ClassWeights(ordered);
    }

    private static Map<String, Double> readJson(Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new TlException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TlException(file + " must hold a JSON object of class name to weight, "
                    + "e.g. {\"cats\": 1.0, \"dogs\": 2.5}");
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String where = file + ": class '" + field.getKey() + "'";
            if (!field.getValue().isNumber()) {
                throw new TlException(where + ": weight must be a number, got " + field.getValue());
            }
            weights.put(field.getKey(), positive(field.getValue().asDouble(), where));
        }
        return weights;
    }

    private static Map<String, Double> readCsv(Path file) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (Csv.Row row : Csv.read(file, List.of(CLASS, WEIGHT))) {
            String where = file + " line " + row.line();
            double weight;
            try {
                weight = Double.parseDouble(row.get(WEIGHT));
            } catch (NumberFormatException e) {
                throw new TlException(where + ": weight must be a number, got '" + row.get(WEIGHT) + "'");
            }
            if (weights.put(row.get(CLASS), positive(weight, where)) != null) {
                throw new TlException(where + ": class '" + row.get(CLASS) + "' is listed twice");
            }
        }
        return weights;
    }

    private static double positive(double weight, String where) {
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new TlException(where + ": weight must be a positive number, got " + weight);
        }
        return weight;
    }
}
