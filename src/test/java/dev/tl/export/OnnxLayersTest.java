package dev.tl.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.RandomParameters;
import dev.tl.data.Framing;
import dev.tl.data.InputSpec;
import dev.tl.data.Preprocessing;
import dev.tl.model.ModelGraphs;
import dev.tl.onnx.OnnxConversion;
import dev.tl.onnx.OnnxOptions;
import dev.tl.zoo.FeatureMap;
import dev.tl.zoo.NetBuilder;
import dev.tl.zoo.Padding;
import dev.tl.zoo.layers.GeluActivation;
import dev.tl.zoo.layers.HardSigmoidActivation;
import dev.tl.zoo.layers.HardSwishActivation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The layers of ConvNeXt and MobileNetV3 in ONNX at every operator set tl writes: LayerNormalization over the
 * channels of a feature map and of a pooled vector, GELU, layer scale, hard swish (after BatchNorm and alone) and the
 * hard sigmoid gate. Where the operator set has the operation (LayerNormalization from 17, HardSwish from 14, Gelu
 * from 20) the file uses it, else its arithmetic; either way ONNX Runtime, fully optimised, computes tl's output.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OnnxLayersTest {

    private static final int SIZE = 12;
    private static final double TOLERANCE = 1e-4;

    @TempDir
    static Path exports;

    private static final List<Path> exported = new ArrayList<>();

    private static ComputationGraph network() {
        GraphBuilder graph = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(SIZE, SIZE, 3, NetBuilder.layout()));
        NetBuilder net = new NetBuilder(graph, "", NetBuilder.Options.inference());
        FeatureMap x = net.conv("stem", new FeatureMap("input", 3, SIZE, SIZE), 8, 2, 2, Padding.VALID, true);
        x = net.layerNorm("stem_layernorm", x, 1e-6);
        FeatureMap y = net.depthwiseConv("depthwise_conv", x, 3, 1, Padding.SAME, true);
        y = net.layerNorm("layernorm", y, 1e-6);
        y = net.conv("pointwise_conv_1", y, 16, 1, 1, Padding.SAME, true, new GeluActivation());
        y = net.conv("pointwise_conv_2", y, 8, 1, 1, Padding.SAME, true);
        y = net.layerScale("layer_scale", y, 1e-6);
        x = net.add("add", x, y);
        x = net.conv("expand", x, 12, 1, 1, Padding.SAME, false);
        x = net.batchNormActivation("expand/BatchNorm", "expand/hard_swish", x, 1e-3, 0.999,
                new HardSwishActivation());
        x = net.activation("hard_swish", x, new HardSwishActivation());
        FeatureMap se = net.reshapeToMap("squeeze_excite/keepdims", net.globalAvgPool("squeeze_excite/AvgPool", x));
        se = net.conv("squeeze_excite/Conv_1", se, 12, 1, 1, Padding.SAME, true, new HardSigmoidActivation());
        x = net.multiply("squeeze_excite/Mul", x, se);
        x = net.layerNorm("head_layernorm", net.globalAvgPool("head_gap", x), 1e-6);
        graph.addLayer(ModelGraphs.OUTPUT, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(12).nOut(3)
                .activation(Activation.SOFTMAX).build(), x.name());
        ComputationGraph network = new ComputationGraph(graph.setOutputs(ModelGraphs.OUTPUT).build());
        network.init();
        return network;
    }

    @Order(1)
    @ParameterizedTest(name = "opset {0}")
    @ValueSource(ints = {11, 14, 17, 20, 21})
    void onnxRuntimeComputesTlsOutputs(int opset) throws Exception {
        ComputationGraph graph = network();
        Nd4j.getRandom().setSeed(opset);
        INDArray input = Nd4j.rand(DataType.FLOAT, 4, SIZE, SIZE, 3).muli(2).subi(1);
        if (NetBuilder.layout() == org.deeplearning4j.nn.conf.CNN2DFormat.NCHW) {
            input = input.permute(0, 3, 1, 2).dup('c');
        }
        RandomParameters.randomise(graph, new INDArray[] {input}, opset);
        float[][] tl = graph.outputSingle(input).toFloatMatrix();

        OnnxOptions options = new OnnxOptions(opset, OptionalInt.empty(), false);
        InputSpec spec = new InputSpec(SIZE, Preprocessing.TF, NetBuilder.layout(), Framing.SQUASH);
        ModelProto model = ModelProto.newBuilder()
                .setIrVersion(options.irVersion())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(OnnxConversion.classifier(graph, List.of(spec), 3, "layers", options))
                .build();
        Path file = exports.resolve("layers-" + opset + ".onnx");
        OnnxExport.write(model, file);
        exported.add(file);
        double difference;
        try (OnnxRuntimeModel onnx = OnnxRuntimeModel.load(file)) {
            difference = OnnxInputs.maxAbsDifference(onnx.run(Map.of("input", OnnxInputs.nchw(
                    NetBuilder.layout() == org.deeplearning4j.nn.conf.CNN2DFormat.NCHW
                            ? input.permute(0, 2, 3, 1) : input))), tl);
        }
        System.out.printf(Locale.ROOT, "ONNX Runtime vs tl, new layers at opset %d: max |p_onnx - p_tl| = %.2e%n",
                opset, difference);
        assertThat(difference).isLessThan(TOLERANCE);

        Set<String> operations = model.getGraph().getNodeList().stream().map(NodeProto::getOpType)
                .collect(Collectors.toSet());
        assertThat(operations.contains("LayerNormalization")).isEqualTo(opset >= 17);
        assertThat(operations.contains("HardSwish")).isEqualTo(opset >= 14);
        assertThat(operations.contains("Gelu")).isEqualTo(opset >= 20);
        assertThat(operations).contains("HardSigmoid");
        if (opset < 20) {
            assertThat(operations).contains("Erf");
        }
    }

    @Order(2)
    @Test
    void onnxRuntimeLoadsEveryExportWithoutWarnings() throws Exception {
        assertThat(exported).hasSize(5);
        assertThat(OnnxRuntimeWarnings.of(exported)).isEmpty();
    }
}
