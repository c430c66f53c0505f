package dev.tl.zoo;

import dev.tl.data.Preprocessing;
import dev.tl.zoo.weights.WeightFile;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.activations.Activation;

/**
 * NASNet-A Mobile and Large as in keras.applications.nasnet: a strided stem convolution, two reduction cells, then
 * normal cells at three resolutions with a reduction cell between them. Each cell takes the previous two outputs,
 * adjusting the older one to the newer one's size (two shifted 1x1-strided average poolings, each with a 1x1
 * convolution) or channels (a 1x1 convolution), and concatenates branches of separable convolutions (ReLU,
 * separable convolution, BatchNorm, twice) and 3x3 poolings. Every layer with weights has its Keras name; ReLUs,
 * paddings, crops, concatenations and one sum per reduction cell carry the names Keras numbers them with.
 */
final class NASNet implements Architecture {

    private static final double BN_EPSILON = 1e-3;
    private static final double BN_MOMENTUM = 0.9997;
    private static final int FILTER_MULTIPLIER = 2;
    /** The stem, then one block per cell: stem_1, stem_2, normal_0 ... reduce_N ..., named by the cell's id. */
    private static final BlockRules NAMED_BLOCKS = new BlockRules()
            .rule("stem_(conv1|bn1)", "stem")
            .rule(".*_(stem_\\d|reduce_\\d+)", "$1")
            .rule(".*_(\\d+)", "normal_$1");

    private final int penultimateFilters;
    private final int cellsPerStage;
    private final int stemFilters;
    /** NASNetLarge: the cell after a reduction cell takes the cell before it as its older input. */
    private final boolean skipReduction;
    private final int defaultSize;
    private Map<String, String> numberedBlocks;

    private NASNet(int penultimateFilters, int cellsPerStage, int stemFilters, boolean skipReduction,
                   int defaultSize) {
        this.penultimateFilters = penultimateFilters;
        this.cellsPerStage = cellsPerStage;
        this.stemFilters = stemFilters;
        this.skipReduction = skipReduction;
        this.defaultSize = defaultSize;
    }

    /** Keras' files are named after the URL's model, not the cached file name Keras gives them. */
    static List<Backbone> variants() {
        String file = PretrainedWeights.KERAS_APPLICATIONS + "nasnet/NASNet-";
        return List.of(
                new Backbone("nasnetmobile", new NASNet(1056, 4, 32, false, 224), 224, 32, Preprocessing.TF,
                        PretrainedWeights.anySize(
                                new WeightFile(file + "mobile-no-top.h5", "1ed92395b5b598bdda52abe5c0dbfd63"),
                                new WeightFile(file + "mobile.h5", "020fb642bf7360b370c678b08e0adf61")),
                        PublishedAccuracy.table(0.744, 0.919)),
                new Backbone("nasnetlarge", new NASNet(4032, 6, 96, true, 331), 331, 32, Preprocessing.TF,
                        PretrainedWeights.anySize(
                                new WeightFile(file + "large-no-top.h5", "d81d89dc07e6e56530c4e77faddd61b5"),
                                new WeightFile(file + "large.h5", "11577c9a518f0070763c2b964a382f17")),
                        PublishedAccuracy.table(0.825, 0.960)));
    }

    @Override
    public FeatureMap base(NetBuilder net, FeatureMap input) {
        return new Builder(net, new KerasNames()).base(input);
    }

    @Override
    public String blockOf(String layerName) {
        String numbered = numberedBlocks().get(layerName);
        return numbered != null ? numbered : NAMED_BLOCKS.blockOf(layerName);
    }

    /** How many layers Keras numbers in a cell depends on how the cell adjusts its inputs: learnt from one build. */
    private synchronized Map<String, String> numberedBlocks() {
        if (numberedBlocks == null) {
            KerasNames names = new KerasNames();
            new Builder(new NetBuilder(new NeuralNetConfiguration.Builder().graphBuilder(), "",
                    new NetBuilder.Options(CNN2DFormat.NHWC, BatchNormMode.FROZEN, name -> false)), names)
                    .base(new FeatureMap("input", 3, defaultSize, defaultSize));
            numberedBlocks = names.blocks();
        }
        return numberedBlocks;
    }

    /** A cell's output and the input the next cell takes as its older one. */
    private record Cell(FeatureMap x, FeatureMap p) {
    }

    /** One build: Keras numbers the unnamed layers as they are created. */
    private final class Builder {
        private final NetBuilder net;
        private final KerasNames names;

        Builder(NetBuilder net, KerasNames names) {
            this.net = net;
            this.names = names;
        }

        FeatureMap base(FeatureMap input) {
            int filters = penultimateFilters / 24;
            FeatureMap x = net.conv("stem_conv1", input, stemFilters, 3, 2, Padding.VALID, false);
            x = net.batchNorm("stem_bn1", x, BN_EPSILON, BN_MOMENTUM);
            Cell cell = reduction(x, null, filters / (FILTER_MULTIPLIER * FILTER_MULTIPLIER), "stem_1");
            cell = reduction(cell.x(), cell.p(), filters / FILTER_MULTIPLIER, "stem_2");
            for (int stage = 0; stage < 3; stage++) {
                // Keras' ids: normal cells 0..N-1, reduce_N, N+1..2N, reduce_2N, 2N+1..3N.
                int id = stage * cellsPerStage;
                if (stage > 0) {
                    FeatureMap older = cell.p();
                    cell = reduction(cell.x(), cell.p(), filters, "reduce_" + id++);
                    cell = skipReduction ? new Cell(cell.x(), older) : cell;
                }
                for (int i = 0; i < cellsPerStage; i++) {
                    cell = normal(cell.x(), cell.p(), filters, Integer.toString(id + i));
                }
                filters *= FILTER_MULTIPLIER;
            }
            return net.activation(names.next("activation"), cell.x(), Activation.RELU);
        }

        private Cell normal(FeatureMap ip, FeatureMap p, int filters, String id) {
            names.enterBlock("normal_" + id);
            p = adjust(p, ip, filters, id);
            FeatureMap h = net.activation(names.next("activation"), ip, Activation.RELU);
            h = net.conv("normal_conv_1_" + id, h, filters, 1, 1, Padding.SAME, false);
            h = net.batchNorm("normal_bn_1_" + id, h, BN_EPSILON, BN_MOMENTUM);
            FeatureMap x1 = net.add("normal_add_1_" + id, separable(h, filters, 5, 1, "normal_left1_" + id),
                    separable(p, filters, 3, 1, "normal_right1_" + id));
            FeatureMap x2 = net.add("normal_add_2_" + id, separable(p, filters, 5, 1, "normal_left2_" + id),
                    separable(p, filters, 3, 1, "normal_right2_" + id));
            FeatureMap x3 = net.add("normal_add_3_" + id, net.avgPool("normal_left3_" + id, h, 3, 1, Padding.SAME),
                    p);
            FeatureMap x4 = net.add("normal_add_4_" + id, net.avgPool("normal_left4_" + id, p, 3, 1, Padding.SAME),
                    net.avgPool("normal_right4_" + id, p, 3, 1, Padding.SAME));
            FeatureMap x5 = net.add("normal_add_5_" + id, separable(h, filters, 3, 1, "normal_left5_" + id), h);
            return new Cell(net.concat("normal_concat_" + id, p, x1, x2, x3, x4, x5), ip);
        }

        private Cell reduction(FeatureMap ip, FeatureMap p, int filters, String id) {
            names.enterBlock(id);
            p = adjust(p, ip, filters, id);
            FeatureMap h = net.activation(names.next("activation"), ip, Activation.RELU);
            h = net.conv("reduction_conv_1_" + id, h, filters, 1, 1, Padding.SAME, false);
            h = net.batchNorm("reduction_bn_1_" + id, h, BN_EPSILON, BN_MOMENTUM);
            FeatureMap h3 = KerasPadding.correctPad(net, "reduction_pad_1_" + id, h, 3);
            FeatureMap x1 = net.add("reduction_add_1_" + id, separable(h, filters, 5, 2, "reduction_left1_" + id),
                    separable(p, filters, 7, 2, "reduction_right1_" + id));
            FeatureMap x2 = net.add("reduction_add_2_" + id,
                    net.maxPool("reduction_left2_" + id, h3, 3, 2, Padding.VALID),
                    separable(p, filters, 7, 2, "reduction_right2_" + id));
            FeatureMap x3 = net.add("reduction_add3_" + id,
                    net.avgPool("reduction_left3_" + id, h3, 3, 2, Padding.VALID),
                    separable(p, filters, 5, 2, "reduction_right3_" + id));
            String x4Name = names.next("add");
            FeatureMap x4 = net.add(x4Name, x2, net.avgPool("reduction_left4_" + id, x1, 3, 1, Padding.SAME));
            FeatureMap x5 = net.add("reduction_add4_" + id, separable(x1, filters, 3, 1, "reduction_left4_" + id),
                    net.maxPool("reduction_right5_" + id, h3, 3, 2, Padding.VALID));
            return new Cell(net.concat("reduction_concat_" + id, x2, x3, x4, x5), ip);
        }

        /**
         * Keras' _adjust_block: the older input as it is (the first cell has none: the newer one), halved to the
         * newer one's size (ReLU, then two 1x1-strided average poolings, the second shifted by a pixel, each with
         * a 1x1 convolution to half the filters, concatenated), or projected to the filters.
         */
        private FeatureMap adjust(FeatureMap p, FeatureMap ip, int filters, String id) {
            if (p == null) {
                return ip;
            }
            if (p.width() != ip.width()) {
                p = net.activation("adjust_relu_1_" + id, p, Activation.RELU);
                FeatureMap p1 = net.avgPool("adjust_avg_pool_1_" + id, p, 1, 2, Padding.VALID);
                p1 = net.conv("adjust_conv_1_" + id, p1, filters / 2, 1, 1, Padding.SAME, false);
                FeatureMap p2 = net.zeroPad(names.next("zero_padding2d"), p, 0, 1, 0, 1);
                p2 = net.crop(names.next("cropping2d"), p2, 1, 0, 1, 0);
                p2 = net.avgPool("adjust_avg_pool_2_" + id, p2, 1, 2, Padding.VALID);
                p2 = net.conv("adjust_conv_2_" + id, p2, filters / 2, 1, 1, Padding.SAME, false);
                p = net.concat(names.next("concatenate"), p1, p2);
                return net.batchNorm("adjust_bn_" + id, p, BN_EPSILON, BN_MOMENTUM);
            }
            if (p.channels() != filters) {
                p = net.activation(names.next("activation"), p, Activation.RELU);
                p = net.conv("adjust_conv_projection_" + id, p, filters, 1, 1, Padding.SAME, false);
                return net.batchNorm("adjust_bn_" + id, p, BN_EPSILON, BN_MOMENTUM);
            }
            return p;
        }

        /** Keras' _separable_conv_block: twice ReLU, separable convolution without bias, BatchNorm. */
        private FeatureMap separable(FeatureMap x, int filters, int kernel, int stride, String id) {
            x = net.activation(names.next("activation"), x, Activation.RELU);
            Padding padding = Padding.SAME;
            if (stride == 2) {
                x = KerasPadding.correctPad(net, "separable_conv_1_pad_" + id, x, kernel);
                padding = Padding.VALID;
            }
            x = net.separableConv("separable_conv_1_" + id, x, filters, kernel, stride, padding, false);
            x = net.batchNormActivation("separable_conv_1_bn_" + id, names.next("activation"), x, BN_EPSILON,
                    BN_MOMENTUM, Activation.RELU);
            x = net.separableConv("separable_conv_2_" + id, x, filters, kernel, 1, Padding.SAME, false);
            return net.batchNorm("separable_conv_2_bn_" + id, x, BN_EPSILON, BN_MOMENTUM);
        }
    }
}
