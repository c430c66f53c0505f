package dev.tl.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
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

    static final String FLAG = "--class-weights";
    private static final String CLASS = "class";
    private static final String WEIGHT = "weight";

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public ClassWeights {
        byClass = Collections.unmodifiableMap(new LinkedHashMap<>(byClass));
    }

    @JsonValue
    @Override
    public Map<String, Double> byClass() {
        return byClass;
    }

    /** The weights in class order. */
    public double[] vector() {
        return byClass.values().stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * {@code --class-weights}: {@code none} (null), {@code auto} (balanced on {@code train}), or a JSON or CSV file
     * giving every class of {@code train} its weight.
     */
    public static ClassWeights parse(String value, ImageSet train) {
        if (value.equalsIgnoreCase("none")) {
            return null;
        }
        if (value.equalsIgnoreCase("auto")) {
            return balanced(train);
        }
        Path file = Path.of(value);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".json") && !name.endsWith(".csv")) {
            throw new TlException(FLAG + ": expected auto, none or a .json or .csv file of class weights, got '"
                    + value + "'");
        }
        if (!Files.isRegularFile(file)) {
            throw new TlException(FLAG + ": no such file: " + file);
        }
        Map<String, Double> weights = name.endsWith(".json") ? readJson(file) : readCsv(file);
        return ofClasses(weights, train.classes(), file);
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
                throw new TlException(FLAG + ": " + file + ": unknown class '" + name + "' (the classes are "
                        + classes + ")");
            }
        }
        Map<String, Double> ordered = new LinkedHashMap<>();
        for (String name : classes) {
            if (!weights.containsKey(name)) {
                throw new TlException(FLAG + ": " + file + ": no weight for class '" + name
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
            throw new TlException(FLAG + ": cannot read " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TlException(FLAG + ": " + file + " must hold a JSON object of class name to weight, "
                    + "e.g. {\"cats\": 1.0, \"dogs\": 2.5}");
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String where = FLAG + ": " + file + ": class '" + field.getKey() + "'";
            if (!field.getValue().isNumber()) {
                throw new TlException(where + ": weight must be a number, got " + field.getValue());
            }
            weights.put(field.getKey(), positive(field.getValue().asDouble(), where));
        }
        return weights;
    }

    private static Map<String, Double> readCsv(Path file) {
        Map<String, Double> weights = new LinkedHashMap<>();
        for (Csv.Row row : Csv.read(file, FLAG, List.of(CLASS, WEIGHT))) {
            String where = FLAG + ": " + file + " line " + row.line();
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
