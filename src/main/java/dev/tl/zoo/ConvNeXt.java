package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.layers.GeluActivation;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import org.nd4j.linalg.activations.Activation;

/**
 * ConvNeXt Tiny..XLarge as in keras.applications.convnext: a 4x4 stride-4 stem, four stages of blocks (depthwise
 * 7x7 convolution with bias, LayerNormalization, 1x1 expansion to 4x with GELU, 1x1 projection, layer scale,
 * residual addition) with LayerNormalization and a 2x2 stride-2 convolution between stages. Keras' in-model
 * Normalization (ImageNet mean and standard deviation in 0..255 units) is tl's "torch" preprocessing. Keras' Dense
 * layers on feature maps are 1x1 convolutions here (the same arithmetic); Keras' "_identity" layers (stochastic
 * depth, off in every published variant) and the residual additions' unnamed operations have no weights.
 *
 * <p>The base is Keras' {@code include_top=False} with {@code pooling="avg"}: the final LayerNormalization acts on the
 * pooled vector, as the published classifier's does, rather than at every position before tl's pooling.
 */
final class ConvNeXt implements Architecture {

    private static final double EPSILON = 1e-6;
    private static final double LAYER_SCALE = 1e-6;
    private static final int EXPANSION = 4;
    /** What Keras calls the classifier-less model's final LayerNormalization, which it creates without a name. */
    static final String FINAL_NORMALIZATION = "layer_normalization";
    private static final String POOLING = "global_average_pooling2d";

    private final String model;
    private final int[] depths;
    private final int[] dims;
    private final BlockRules blockRules;

    /** Package-private so that tests can build a narrow one with the same layers and names. */
    ConvNeXt(String model, int[] depths, int[] dims) {
        this.model = model;
        this.depths = depths;
        this.dims = dims;
        BlockRules rules = new BlockRules().rule(model + "_stem_.*", "stem");
        for (int i = 0; i < dims.length - 1; i++) {
            rules.rule(model + "_downsampling_(layernorm|conv)_" + i, "stage_" + (i + 1));
        }
        this.blockRules = rules
                .rule(model + "_stage_(\\d)_.*", "stage_$1")
                .rule(POOLING + ".*|" + FINAL_NORMALIZATION, "stage_" + (dims.length - 1));
    }

    /**
     * Keras' depths and widths, the SHA-256 of the published files with and without the classifier, and the top-1
     * Keras publishes (no top-5). Base, Large and XLarge were pretrained on ImageNet-21k, then fine-tuned on 1k.
     */
    static List<Backbone> variants() {
        int[] shallow = {3, 3, 9, 3};
        int[] deep = {3, 3, 27, 3};
        return List.of(
                variant("tiny", shallow, new int[] {96, 192, 384, 768}, 0.813,
                        "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
                variant("small", deep, new int[] {96, 192, 384, 768}, 0.823,
                        "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                        "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
                variant("base", deep, new int[] {128, 256, 512, 1024}, 0.853,
                        "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                        "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
                variant("large", deep, new int[] {192, 384, 768, 1536}, 0.863,
                        "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                        "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
                variant("xlarge", deep, new int[] {256, 512, 1024, 2048}, 0.867,
                        "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"));
    }

    private static Backbone variant(String size, int[] depths, int[] dims, double top1, String topSha256,
                                    String noTopSha256) {
        String model = "convnext_" + size;
        String file = PretrainedWeights.KERAS_APPLICATIONS + "convnext/" + model;
        return Backbone.of(model, new ConvNeXt(model, depths, dims), 224, Preprocessing.TORCH,
                        PretrainedWeights.anySize(new WeightFile(file + "_notop.h5", noTopSha256),
                                new WeightFile(file + ".h5", topSha256)))
                .withAccuracy(PublishedAccuracy.table(top1));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        FeatureMap x = net.globalAvgPool(POOLING, stages(net, input));
        x = net.reshapeToMap(POOLING + "_keepdims", x);
        return net.layerNorm(FINAL_NORMALIZATION, x, EPSILON);
    }

    /** Keras' head: global average pooling, LayerNormalization and the classifier, on the last stage. */
    @Override
    public FeatureMap imagenetTop(NetBuilder net, FeatureMap features) {
        FeatureMap x = net.globalAvgPool(model + "_head_gap", features);
        x = net.layerNorm(model + "_head_layernorm", x, EPSILON);
        return net.dense(model + "_head_dense", x, 1000, Activation.SOFTMAX);
    }

    @Override
    public FeatureMap imagenetClassifier(NetBuilder net, FeatureMap input) {
        return imagenetTop(net, stages(net, input));
    }

    @Override
    public String blockOf(String layerName) {
        return blockRules.blockOf(layerName);
    }

    private FeatureMap stages(NetBuilder net, FeatureMap input) {
        FeatureMap x = net.conv(model + "_stem_conv", input, dims[0], 4, 4, Padding.VALID, true);
        x = net.layerNorm(model + "_stem_layernorm", x, EPSILON);
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                x = net.layerNorm(model + "_downsampling_layernorm_" + (i - 1), x, EPSILON);
                x = net.conv(model + "_downsampling_conv_" + (i - 1), x, dims[i], 2, 2, Padding.VALID, true);
            }
            for (int j = 0; j < depths[i]; j++) {
                x = block(net, x, model + "_stage_" + i + "_block_" + j);
            }
        }
        return x;
    }

    private static FeatureMap block(NetBuilder net, FeatureMap in, String name) {
        int channels = in.channels();
        FeatureMap x = net.depthwiseConv(name + "_depthwise_conv", in, 7, 1, Padding.SAME, true);
        x = net.layerNorm(name + "_layernorm", x, EPSILON);
        x = net.conv(name + "_pointwise_conv_1", x, EXPANSION * channels, 1, 1, Padding.SAME, true,
                new GeluActivation());
        x = net.conv(name + "_pointwise_conv_2", x, channels, 1, 1, Padding.SAME, true);
        x = net.layerScale(name + "_layer_scale", x, LAYER_SCALE);
        return net.add(name + "_add", in, x);
    }
}
