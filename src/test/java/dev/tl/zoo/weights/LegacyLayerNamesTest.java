package dev.tl.zoo.weights;

import static dev.tl.zoo.weights.KerasWeightLoaderTest.addNormalizationIfEfficientNet;
import static dev.tl.zoo.weights.KerasWeightLoaderTest.assertLoaded;
import static dev.tl.zoo.weights.KerasWeightLoaderTest.kerasTensors;
import static dev.tl.zoo.weights.KerasWeightLoaderTest.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tl.LogCapture;
import dev.tl.TlException;
import dev.tl.model.ModelGraphs;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.weights.KerasWeightLoaderTest.Base;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Weight files whose layers carry other names than tl's (Keras' own older releases, a user's renamed model) load as
 * Keras would load them: by today's names, by the family's older names, else by Keras' layer order with every shape
 * checked, and never by an order that cannot tell two layers apart. Each file is written from random values under
 * the other names, and every value must come back in its parameter.
 */
class LegacyLayerNamesTest {

    private static final Pattern RESNET_LAYER = Pattern.compile("conv(\\d)_block(\\d+)_(\\d)_(conv|bn)");
    private static final Pattern MOBILENETV2_LAYER =
            Pattern.compile("(expanded_conv|block_(\\d+))_(expand|depthwise|project)(_BN)?");

    @TempDir
    Path dir;

    /** Keras' first ResNet50 release, listed in its Keras order: a block's shortcut after its main branch's end. */
    @Test
    void resnet50UnderItsFirstReleaseNamesLoadsByThoseNames() {
        Base base = Base.of("resnet50");
        List<String> layers = base.layers();
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = base.randomTensors(21);
        List<String> oldOrder = new ArrayList<>(layers);
        for (String shortcut : layers.stream().filter(n -> n.matches(".*_0_(conv|bn)")).toList()) {
            oldOrder.remove(shortcut);
            oldOrder.add(oldOrder.indexOf(shortcut.replace("_0_", "_3_")) + 1, shortcut);
        }
        Map<String, Map<String, KerasH5Fixture.Tensor>> inFile = renamed(tensors, oldOrder,
                LegacyLayerNamesTest::firstResNet50ReleaseName);
        assertThat(inFile.keySet()).containsSubsequence("conv1", "bn_conv1", "res2a_branch2c", "res2a_branch1",
                "bn2a_branch2c", "bn2a_branch1", "res5c_branch2c", "bn5c_branch2c");
        Path file = dir.resolve("resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5");
        write(inFile, file);

        List<String> log = LogCapture.infoLinesOf(KerasWeightLoader.class, () -> base.load(file, "resnet50"));

        assertLoaded(base.graph(), tensors);
        assertThat(log).singleElement().asString().contains("106 by older name; 0 unmatched, 0 missing");
    }

    /** Without the older names, only the order could pair a stage's shortcut and last convolution: same shapes. */
    @Test
    void resnet50UnderUnknownNamesIsRefusedRatherThanPairedByAnAmbiguousOrder() {
        Base base = Base.of("resnet50");
        List<String> layers = base.layers();
        List<String> kerasOrder = new ArrayList<>(layers); // today's: ..._2_bn, _0_conv, _3_conv, _0_bn, _3_bn
        for (String shortcut : layers.stream().filter(n -> n.matches(".*_0_(conv|bn)")).toList()) {
            kerasOrder.remove(shortcut);
            kerasOrder.add(kerasOrder.indexOf(shortcut.replace("_0_", "_3_")), shortcut);
        }
        Path file = dir.resolve("renamed.h5");
        write(unknownNames(renamed(base.randomTensors(2), kerasOrder, UnaryOperator.identity())), file);

        assertThatThrownBy(() -> base.load(file, "resnet50"))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("'conv2_block1_0_conv' and 'conv2_block1_3_conv'")
                .hasMessageContaining("kernel [1, 1, 64, 256]")
                .hasMessageContaining("tl will not guess");
    }

    /** The names inside Keras' released MobileNetV2 files, and their classifier "Logits". */
    @Test
    void mobilenetV2UnderTheNamesOfKerasReleasedFilesLoadsByThoseNames() {
        ModelGraphs.ImageNetGraph classifier = ModelGraphs.imagenetClassifier(Backbones.get("mobilenetv2"), 32);
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors =
                kerasTensors(classifier.graph(), classifier.vertexNames(), 8);
        Map<String, Map<String, KerasH5Fixture.Tensor>> inFile = renamed(tensors, classifier.vertexNames(),
                LegacyLayerNamesTest::releasedMobileNetV2Name);
        assertThat(inFile.keySet()).contains("mobl0_conv_0_depthwise", "bn0_conv_0_bn_project",
                "mobl16_conv_16_expand", "bn16_conv_16_bn_expand", "Conv_1_bn", "Logits");
        Path file = dir.resolve("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_32.h5");
        write(inFile, file);

        List<String> log = LogCapture.infoLinesOf(KerasWeightLoader.class, () -> KerasWeightLoader.load(file,
                classifier.graph(), "", classifier.vertexNames(), Backbones.get("mobilenetv2")));

        assertLoaded(classifier.graph(), tensors);
        assertThat(log).singleElement().asString().contains("4 by name, 101 by older name; 0 unmatched, 0 missing");
    }

    /** Keras 2 wrote DenseNet's stem as "conv1/conv", Keras 3's save_weights as "conv1_conv": both are its names. */
    @ParameterizedTest
    @ValueSource(strings = {"/", "_"})
    void denseNetUnderEitherSpellingOfItsNamesLoadsByName(String separator) {
        Base base = Base.of("densenet121");
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = base.randomTensors(4);
        Map<String, Map<String, KerasH5Fixture.Tensor>> inFile = renamed(tensors, base.layers(),
                name -> name.replace("/", separator));
        assertThat(inFile).containsKey("conv1" + separator + "conv");
        Path file = dir.resolve("densenet.h5");
        write(inFile, file);

        List<String> log = LogCapture.infoLinesOf(KerasWeightLoader.class, () -> base.load(file, "densenet121"));

        assertLoaded(base.graph(), tensors);
        assertThat(log).singleElement().asString().contains("241 by name; 0 unmatched");
    }

    /**
     * Names tl has never seen (a user's own model, another exporter) load by Keras' layer order; EfficientNet's
     * file also holds its input Normalization, which has no layer in tl's network and is checked, not paired.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vgg16", "mobilenet", "mobilenetv2", "efficientnetb0"})
    void unknownNamesLoadByKerasLayerOrder(String backbone) {
        Base base = Base.of(backbone);
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = base.randomTensors(6);
        Map<String, Map<String, KerasH5Fixture.Tensor>> inFile = unknownNames(tensors);
        addNormalizationIfEfficientNet(backbone, inFile);
        Path file = dir.resolve(backbone + ".h5");
        write(inFile, file);

        List<String> log = LogCapture.infoLinesOf(KerasWeightLoader.class, () -> base.load(file, backbone));

        assertLoaded(base.graph(), tensors);
        long weighted = tensors.values().stream().filter(t -> !t.isEmpty()).count();
        assertThat(log).hasSize(2);
        assertThat(log.get(0)).contains("matched by Keras' layer order");
        assertThat(log.get(1)).contains(weighted + " by order; 0 unmatched, 0 missing");
    }

    @Test
    void aShuffledFileNamesTheFirstPairThatDiffers() {
        Base base = Base.of("mobilenet");
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = base.randomTensors(6);
        List<String> shuffled = new ArrayList<>(base.layers());
        shuffled.remove("conv_dw_2_bn");
        shuffled.add(shuffled.indexOf("conv_dw_2"), "conv_dw_2_bn");
        Path file = dir.resolve("shuffled.h5");
        write(unknownNames(renamed(tensors, shuffled, UnaryOperator.identity())), file);

        assertThatThrownBy(() -> base.load(file, "mobilenet"))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("the first pair that differs is the file's 'layer_6' (gamma [64], beta [64],"
                        + " moving_mean [64], moving_variance [64]) and the network's 'conv_dw_2' (depthwise_kernel"
                        + " [3, 3, 64, 1])");
    }

    @Test
    void aFileMissingALayerNamesTheFirstPairThatDiffers() {
        Base base = Base.of("mobilenet");
        Map<String, Map<String, KerasH5Fixture.Tensor>> tensors = base.randomTensors(6);
        tensors.remove("conv_pw_13");
        Path file = dir.resolve("short.h5");
        write(unknownNames(tensors), file);

        assertThatThrownBy(() -> base.load(file, "mobilenet"))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("the first pair that differs is the file's 'layer_52' (gamma [1024]")
                .hasMessageContaining("and the network's 'conv_pw_13' (kernel [1, 1, 1024, 1024])");
    }

    /** The same names, other widths: the message says which backbone the file is for. */
    @Test
    void aFileOfAnotherWidthNamesTheBackboneItFits() {
        Path file = dir.resolve("mobilenet_2_5_224_tf_no_top.h5");
        write(Base.of("mobilenet_0.25").randomTensors(3), file);

        assertThatThrownBy(() -> Base.of("mobilenet").load(file, "mobilenet"))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("its layer 'conv1' (kernel [3, 3, 3, 8]) does not fit the network's layer"
                        + " 'conv1' (kernel [3, 3, 3, 32])")
                .hasMessageContaining("218,544 values")
                .hasMessageContaining("mobilenet_0.25");
    }

    /** The layers in {@code order}, renamed, their tensors' weight names with them. */
    private static Map<String, Map<String, KerasH5Fixture.Tensor>> renamed(
            Map<String, Map<String, KerasH5Fixture.Tensor>> tensors, List<String> order, UnaryOperator<String> name) {
        Map<String, Map<String, KerasH5Fixture.Tensor>> out = new LinkedHashMap<>();
        for (String layer : order) {
            Map<String, KerasH5Fixture.Tensor> layerTensors = tensors.get(layer);
            if (layerTensors == null) {
                continue;
            }
            String newName = layerTensors.isEmpty() ? layer : name.apply(layer);
            Map<String, KerasH5Fixture.Tensor> copy = new LinkedHashMap<>();
            layerTensors.forEach((weight, t) -> copy.put(weight, new KerasH5Fixture.Tensor(
                    newName + t.weightName().substring(t.weightName().lastIndexOf('/')), t.shape(), t.values())));
            out.put(newName, copy);
        }
        return out;
    }

    /** Every layer with weights called layer_0, layer_1, ... in file order. */
    private static Map<String, Map<String, KerasH5Fixture.Tensor>> unknownNames(
            Map<String, Map<String, KerasH5Fixture.Tensor>> tensors) {
        List<String> weighted = tensors.entrySet().stream().filter(e -> !e.getValue().isEmpty())
                .map(Map.Entry::getKey).toList();
        return renamed(tensors, new ArrayList<>(tensors.keySet()), layer -> "layer_" + weighted.indexOf(layer));
    }

    private static String firstResNet50ReleaseName(String layer) {
        if (layer.equals("conv1_conv")) {
            return "conv1";
        }
        if (layer.equals("conv1_bn")) {
            return "bn_conv1";
        }
        Matcher m = RESNET_LAYER.matcher(layer);
        assertThat(m.matches()).as(layer).isTrue();
        int conv = Integer.parseInt(m.group(3));
        return (m.group(4).equals("conv") ? "res" : "bn") + m.group(1) + (char) ('a' + Integer.parseInt(m.group(2)) - 1)
                + "_branch" + (conv == 0 ? "1" : "2" + (char) ('a' + conv - 1));
    }

    private static String releasedMobileNetV2Name(String layer) {
        if (layer.equals("predictions")) {
            return "Logits";
        }
        Matcher m = MOBILENETV2_LAYER.matcher(layer);
        if (!m.matches()) {
            return layer; // Conv1, bn_Conv1, Conv_1, Conv_1_bn: the same in both namings
        }
        String block = m.group(2) == null ? "0" : m.group(2);
        return m.group(4) == null ? "mobl" + block + "_conv_" + block + "_" + m.group(3)
                : "bn" + block + "_conv_" + block + "_bn_" + m.group(3);
    }
}
