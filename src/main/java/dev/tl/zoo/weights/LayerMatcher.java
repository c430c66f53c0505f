package dev.tl.zoo.weights;

import dev.tl.TlException;
import dev.tl.zoo.LayerAliases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Decides which layer of a Keras weight file fills which layer of the network, the way Keras would accept the file:
 * <ol>
 *   <li>layers an application leaves for Keras to name (InceptionV3's conv2d_5, Xception's residual convolutions,
 *       ConvNeXt's last layer_normalization) by class and position: their numbers tell nothing (Keras 2 counted
 *       from conv2d_1, Keras 3 from conv2d, and a session's earlier models shift them), so the n-th such layer of a
 *       class in Keras' layer order is the file's n-th so named, as Keras' legacy load pairs them;</li>
 *   <li>by name (today's Keras names, '/' and '_' alike: Keras 3 renamed DenseNet's "conv1/conv" to "conv1_conv");</li>
 *   <li>by the family's older names ({@link LayerAliases}) and the classifier's older names;</li>
 *   <li>the rest by order, as Keras' legacy {@code load_weights} pairs a file with a model: the file's layers with
 *       weights in the file's order against the network's in {@link KerasLayerOrder}. An order is only trusted
 *       where it cannot be confused: two network layers at the same depth with the same shapes (a ResNet block's
 *       shortcut and its main branch's last convolution) are ordered differently by different Keras versions, so a
 *       pairing that needs their order is refused.</li>
 * </ol>
 * Every pair, however matched, must agree in every tensor's shape, up to axes of size 1: Keras stores a layer tl
 * builds as another kind in that kind's shape (ConvNeXt's pointwise Dense [in, out] is tl's 1x1 convolution).
 */
final class LayerMatcher {

    enum Rule {
        AUTOMATIC_NAME("by Keras' automatic name and position"), NAME("by name"), ALIAS("by older name"),
        ORDER("by order"), CLASS_AND_POSITION("by class and position");

        private final String description;

        Rule(String description) {
            this.description = description;
        }
    }

    /** The file layer for each network layer that has one, and how many layers each rule matched. */
    record Result(Map<String, String> fileLayerOf, Map<Rule, Integer> counts) {

        /** "104 by name", "2 by name, 102 by older name". */
        String describe() {
            return counts.entrySet().stream().filter(e -> e.getValue() > 0)
                    .map(e -> e.getValue() + " " + e.getKey().description)
                    .collect(Collectors.joining(", "));
        }

        boolean matchedByOrder() {
            return counts.getOrDefault(Rule.ORDER, 0) > 0;
        }
    }

    /** What Keras stores for one layer: its tensors' names and shapes, in the layout Keras writes them. */
    record Signature(Map<String, List<Long>> shapes) {

        static Signature of(Map<String, KerasWeightsFile.Tensor> tensors) {
            Map<String, List<Long>> shapes = new LinkedHashMap<>();
            tensors.forEach((name, tensor) -> shapes.put(name, Arrays.stream(tensor.shape()).boxed().toList()));
            return new Signature(shapes);
        }

        /** The same tensors in the same shapes, axes of size 1 aside. */
        boolean fits(Signature other) {
            return shapes.keySet().equals(other.shapes.keySet()) && shapes.entrySet().stream()
                    .allMatch(e -> squeezed(e.getValue()).equals(squeezed(other.shapes.get(e.getKey()))));
        }

        private static List<Long> squeezed(List<Long> shape) {
            return shape.stream().filter(size -> size != 1).toList();
        }

        @Override
        public String toString() {
            return shapes.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", "));
        }
    }

    /** The classes of the layers with weights that Keras may name itself. */
    private static final List<String> AUTOMATIC_NAMES = List.of("conv2d", "depthwise_conv2d", "separable_conv2d",
            "batch_normalization", "dense", "layer_normalization");

    /** What Keras 2 called the 1000-class classifier when the published with-top files were written. */
    private static final List<String> CLASSIFIER_ALIASES = List.of("fc1000", "probs", "Logits");

    private LayerMatcher() {
    }

    /**
     * @param network   the network's layers with weights (names without {@code prefix}), each with its signature,
     *                  in Keras' layer order
     * @param depth     each of those layers' depth in Keras' layer order (see {@link KerasLayerOrder})
     * @param fileLayers the file's layers with weights, in file order, by name
     * @param kerasClass each network layer's Keras class
     */
    static Result legacy(Path file, Map<String, Signature> network, Map<String, Integer> depth,
                         Map<String, Signature> fileLayers, LayerAliases aliases, Map<String, String> kerasClass) {
        Map<String, String> byNormalisedName = new HashMap<>();
        fileLayers.keySet().forEach(name -> byNormalisedName.put(normalise(name), name));
        Map<String, String> byTodaysName = new HashMap<>();
        fileLayers.keySet().forEach(name -> aliases.todaysName(name).ifPresent(today -> byTodaysName.put(today, name)));

        Map<String, String> found = new LinkedHashMap<>();
        Map<Rule, Integer> counts = new EnumMap<>(Rule.class);
        pairAutomaticNames(file, network, fileLayers, kerasClass, found, counts);
        for (String layer : network.keySet()) {
            if (found.containsKey(layer)) {
                continue;
            }
            String byName = byNormalisedName.get(normalise(layer));
            String byAlias = byName != null ? null : olderName(layer, byTodaysName, byNormalisedName);
            String fileLayer = byName != null ? byName : byAlias;
            if (fileLayer != null && !found.containsValue(fileLayer)) {
                requireSameShapes(file, layer, network.get(layer), fileLayer, fileLayers.get(fileLayer));
                found.put(layer, fileLayer);
                counts.merge(byName != null ? Rule.NAME : Rule.ALIAS, 1, Integer::sum);
            }
        }
        List<String> networkLeft = network.keySet().stream().filter(layer -> !found.containsKey(layer)).toList();
        List<String> fileLeft = fileLayers.keySet().stream().filter(layer -> !found.containsValue(layer)).toList();
        if (!networkLeft.isEmpty() && !fileLeft.isEmpty()) {
            pairByOrder(file, network, depth, fileLayers, networkLeft, fileLeft, found);
            counts.put(Rule.ORDER, Math.min(networkLeft.size(), fileLeft.size()));
        }
        return new Result(found, counts);
    }

    /** Keras 3 names no layer: the network's layers, numbered per class in Keras' order, name the file's groups. */
    static Result byClassAndPosition(Map<String, String> fileLayerOf) {
        return new Result(fileLayerOf, new EnumMap<>(Map.of(Rule.CLASS_AND_POSITION, fileLayerOf.size())));
    }

    private static void pairAutomaticNames(Path file, Map<String, Signature> network, Map<String, Signature> fileLayers,
                                           Map<String, String> kerasClass, Map<String, String> found,
                                           Map<Rule, Integer> counts) {
        Map<String, List<String>> ours = new HashMap<>();
        network.keySet().stream().filter(layer -> automaticallyNamed(layer, kerasClass.get(layer)))
                .forEach(layer -> ours.computeIfAbsent(kerasClass.get(layer), unused -> new ArrayList<>()).add(layer));
        Map<String, List<String>> theirs = new HashMap<>();
        for (String fileLayer : fileLayers.keySet()) {
            AUTOMATIC_NAMES.stream().filter(c -> automaticallyNamed(fileLayer, c)).findFirst()
                    .ifPresent(c -> theirs.computeIfAbsent(c, unused -> new ArrayList<>()).add(fileLayer));
        }
        ours.forEach((c, layers) -> {
            List<String> fileNamed = theirs.getOrDefault(c, List.of());
            for (int i = 0; i < Math.min(layers.size(), fileNamed.size()); i++) {
                requireSameShapes(file, layers.get(i), network.get(layers.get(i)), fileNamed.get(i),
                        fileLayers.get(fileNamed.get(i)));
                found.put(layers.get(i), fileNamed.get(i));
                counts.merge(Rule.AUTOMATIC_NAME, 1, Integer::sum);
            }
        });
    }

    /** Whether {@code name} is one Keras gives a layer of {@code kerasClass} itself: conv2d, conv2d_7. */
    private static boolean automaticallyNamed(String name, String kerasClass) {
        return kerasClass != null && AUTOMATIC_NAMES.contains(kerasClass) && name.startsWith(kerasClass)
                && name.substring(kerasClass.length()).matches("(_\\d+)?");
    }

    private static String olderName(String layer, Map<String, String> byTodaysName,
                                    Map<String, String> byNormalisedName) {
        String found = byTodaysName.get(layer);
        if (found == null && layer.equals("predictions")) {
            for (String alias : CLASSIFIER_ALIASES) {
                found = byNormalisedName.get(alias);
                if (found != null) {
                    break;
                }
            }
        }
        return found;
    }

    private static void pairByOrder(Path file, Map<String, Signature> network, Map<String, Integer> depth,
                                    Map<String, Signature> fileLayers, List<String> networkLeft,
                                    List<String> fileLeft, Map<String, String> found) {
        for (int i = 0; i < Math.min(networkLeft.size(), fileLeft.size()); i++) {
            String layer = networkLeft.get(i);
            String fileLayer = fileLeft.get(i);
            if (!network.get(layer).fits(fileLayers.get(fileLayer))) {
                throw new TlException("weights file " + file + ": " + fileLeft.size() + " of its layers with weights"
                        + " have names tl does not know, so they were paired with the network's remaining "
                        + networkLeft.size() + " in Keras' layer order; the first pair that differs is the file's '"
                        + fileLayer + "' (" + fileLayers.get(fileLayer) + ") and the network's '" + layer + "' ("
                        + network.get(layer) + ")");
            }
        }
        if (networkLeft.size() != fileLeft.size()) {
            List<String> longer = networkLeft.size() > fileLeft.size() ? networkLeft : fileLeft;
            String first = longer.get(Math.min(networkLeft.size(), fileLeft.size()));
            throw new TlException("weights file " + file + " has " + fileLeft.size() + " layer(s) with weights that"
                    + " match no network layer by name, and the network " + networkLeft.size() + " without a match"
                    + " in the file; in Keras' layer order the first without a partner is "
                    + (longer == networkLeft ? "the network's '" + first + "' (" + network.get(first) + ")"
                    : "the file's '" + first + "' (" + fileLayers.get(first) + ")"));
        }
        refuseAmbiguousOrder(file, network, depth, networkLeft, fileLeft);
        for (int i = 0; i < networkLeft.size(); i++) {
            found.put(networkLeft.get(i), fileLeft.get(i));
        }
    }

    /**
     * Layers at the same depth are listed in the order a model definition happens to connect them, which older
     * Keras versions did differently; with equal shapes nothing would catch a swap.
     */
    private static void refuseAmbiguousOrder(Path file, Map<String, Signature> network, Map<String, Integer> depth,
                                             List<String> networkLeft, List<String> fileLeft) {
        Map<String, String> firstAtDepthAndShape = new HashMap<>();
        for (int i = 0; i < networkLeft.size(); i++) {
            String layer = networkLeft.get(i);
            String key = depth.get(layer) + " " + network.get(layer);
            String other = firstAtDepthAndShape.putIfAbsent(key, layer);
            if (other != null) {
                Set<String> fileNames = new TreeSet<>(List.of(fileLeft.get(networkLeft.indexOf(other)),
                        fileLeft.get(i)));
                throw new TlException("weights file " + file + ": its layers " + fileNames + " have names tl does not"
                        + " know, and in the network the layers they would fill by order ('" + other + "' and '"
                        + layer + "') have the same shapes (" + network.get(layer) + ") and the same depth, where"
                        + " Keras versions differ in which comes first; tl will not guess. Rename them to today's"
                        + " Keras names to load this file");
            }
        }
    }

    private static void requireSameShapes(Path file, String layer, Signature expected, String fileLayer,
                                          Signature actual) {
        if (!expected.shapes().keySet().equals(actual.shapes().keySet())) {
            return; // a missing or extra tensor is named by the loader, tensor by tensor
        }
        if (!expected.fits(actual)) {
            throw new TlException("weights file " + file + ": its layer '" + fileLayer + "' (" + actual
                    + ") does not fit the network's layer '" + layer + "' (" + expected + ")");
        }
    }

    private static String normalise(String layerName) {
        return layerName.replace('/', '_');
    }
}
