package dev.tl.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.zoo.Backbones;
import dev.tl.zoo.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The blocks of every backbone family, bottom to top, and which layers fall into them. */
class BaseBlocksTest {

    /** At the smallest input the backbone takes (32 px for most). */
    private static ModelSpec spec(String backbone) {
        return new ModelSpec(List.of(new BaseSpec(backbone, Backbones.get(backbone).minImageSize())),
                new HeadSpec(0, 0), 2);
    }

    private static List<Block> blocks(String backbone) {
        return ModelGraphs.baseBlocks(spec(backbone), 0);
    }

    private static List<String> names(List<Block> blocks) {
        return blocks.stream().map(Block::name).toList();
    }

    private static Block block(List<Block> blocks, String name) {
        return blocks.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> numbered(String prefix, int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> prefix + i).toList();
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    @Test
    void blocksPartitionTheBaseInOrder() {
        for (String backbone : List.of("vgg16", "resnet50", "mobilenet", "mobilenetv2", "densenet121", "efficientnetb0",
                "efficientnetv2b0", "efficientnetv2s", "mobilenetv3small_minimalistic", "mobilenetv3large",
                "convnext_tiny", "resnet50v2", "inceptionv3", "xception", "inceptionresnetv2", "nasnetmobile",
                "nasnetlarge")) {
            ModelSpec spec = spec(backbone);
            List<String> layers = blocks(backbone).stream().flatMap(b -> b.layers().stream()).toList();
            assertThat(layers).as(backbone).isEqualTo(ModelGraphs.baseVertexNames(spec, 0));
        }
    }

    @Test
    void denseNetHasItsDenseBlocksEachWithTheTransitionAfterIt() {
        List<Block> blocks = blocks("densenet121");
        assertThat(names(blocks)).containsExactly("stem", "conv2", "conv3", "conv4", "conv5");
        assertThat(block(blocks, "stem").layers()).contains("conv1/conv", "pool1").doesNotContain("conv2_block1_0_bn");
        assertThat(block(blocks, "conv4").layers()).contains("conv4_block24_2_conv", "pool4_conv", "pool4_pool");
        assertThat(block(blocks, "conv5").layers()).startsWith("conv5_block1_0_bn").endsWith("bn", "relu");
    }

    @Test
    void efficientNetHasItsSevenStagesBetweenStemAndTop() {
        List<Block> blocks = blocks("efficientnetb0");
        assertThat(names(blocks)).isEqualTo(concat(concat(List.of("stem"), numbered("block", 1, 7)), List.of("top")));
        assertThat(block(blocks, "block6").layers()).contains("block6a_expand_conv", "block6d_add");
        assertThat(block(blocks, "top").layers()).containsExactly("top_conv", "top_bn", "top_activation");
    }

    @Test
    void efficientNetV2HasItsFusedAndMbConvStagesBetweenStemAndTop() {
        List<Block> blocks = blocks("efficientnetv2m");
        assertThat(names(blocks)).isEqualTo(concat(concat(List.of("stem"), numbered("block", 1, 7)), List.of("top")));
        assertThat(block(blocks, "block1").layers()).containsExactly("block1a_project_conv", "block1a_project_bn",
                "block1a_project_activation", "block1a_add", "block1b_project_conv", "block1b_project_bn",
                "block1b_project_activation", "block1b_drop", "block1b_add", "block1c_project_conv",
                "block1c_project_bn", "block1c_project_activation", "block1c_drop", "block1c_add");
        assertThat(block(blocks, "block4").layers()).contains("block4a_expand_conv", "block4a_dwconv2",
                "block4a_se_excite", "block4g_add");
    }

    @Test
    void mobileNetV3HasItsInvertedResidualBlocksBetweenStemAndTop() {
        List<Block> blocks = blocks("mobilenetv3small");
        assertThat(names(blocks)).isEqualTo(Stream.of(List.of("stem", "expanded_conv"),
                numbered("expanded_conv_", 1, 10), List.of("top")).flatMap(List::stream).toList());
        assertThat(block(blocks, "stem").layers()).containsExactly("Conv", "Conv/BatchNorm", "Conv/hard_swish");
        assertThat(block(blocks, "expanded_conv_9").layers()).contains("expanded_conv_9/expand",
                "expanded_conv_9/squeeze_excite/Mul", "expanded_conv_9/Add");
        assertThat(block(blocks, "top").layers()).containsExactly("Conv_1", "Conv_1/BatchNorm", "Conv_1/hard_swish");
    }

    @Test
    void convNeXtHasItsFourStagesEachWithTheDownsamplingBeforeIt() {
        List<Block> blocks = blocks("convnext_small");
        assertThat(names(blocks)).isEqualTo(concat(List.of("stem"), numbered("stage_", 0, 3)));
        assertThat(block(blocks, "stem").layers())
                .containsExactly("convnext_small_stem_conv", "convnext_small_stem_layernorm");
        assertThat(block(blocks, "stage_2").layers()).startsWith("convnext_small_downsampling_layernorm_1",
                "convnext_small_downsampling_conv_1", "convnext_small_stage_2_block_0_depthwise_conv")
                .endsWith("convnext_small_stage_2_block_26_add");
        assertThat(block(blocks, "stage_3").layers()).endsWith("global_average_pooling2d",
                "global_average_pooling2d_keepdims", "layer_normalization");
    }

    @Test
    void mobileNetV2HasItsSeventeenInvertedResidualBlocks() {
        List<Block> blocks = blocks("mobilenetv2");
        assertThat(names(blocks)).isEqualTo(Stream.of(List.of("stem", "expanded_conv"), numbered("block_", 1, 16),
                List.of("top")).flatMap(List::stream).toList());
        assertThat(block(blocks, "block_16").layers()).contains("block_16_expand", "block_16_project_BN");
        assertThat(block(blocks, "top").layers()).containsExactly("Conv_1", "Conv_1_bn", "out_relu");
    }

    @Test
    void resNet50HasItsFourStages() {
        List<Block> blocks = blocks("resnet50");
        assertThat(names(blocks)).containsExactly("stem", "conv2", "conv3", "conv4", "conv5");
        assertThat(block(blocks, "stem").layers()).endsWith("pool1_pad", "pool1_pool");
        assertThat(block(blocks, "conv5").layers()).startsWith("conv5_block1_0_conv").endsWith("conv5_block3_out");
    }

    @Test
    void resNetV2HasItsFourStagesEachWithItsShortcutPoolingAndTheClosingBatchNormOnTop() {
        List<Block> blocks = blocks("resnet50v2");
        assertThat(names(blocks)).containsExactly("stem", "conv2", "conv3", "conv4", "conv5");
        assertThat(block(blocks, "stem").layers()).containsExactly("conv1_pad", "conv1_conv", "pool1_pad",
                "pool1_pool");
        assertThat(block(blocks, "conv2").layers()).contains("max_pooling2d").endsWith("conv2_block3_out");
        assertThat(block(blocks, "conv4").layers()).contains("max_pooling2d_2").endsWith("conv4_block6_out");
        assertThat(block(blocks, "conv5").layers()).doesNotContain("max_pooling2d_3").endsWith("post_bn", "post_relu");
    }

    /** Keras names InceptionV3's convolutions by counting them: the blocks are counted off in the same order. */
    @Test
    void inceptionV3HasItsStemAndElevenMixedBlocksEachEndingWithItsConcatenation() {
        List<Block> blocks = blocks("inceptionv3");
        assertThat(names(blocks)).isEqualTo(concat(List.of("stem"), numbered("mixed", 0, 10)));
        assertThat(block(blocks, "stem").layers()).startsWith("conv2d", "batch_normalization", "activation")
                .endsWith("conv2d_4", "batch_normalization_4", "activation_4", "max_pooling2d_1");
        assertThat(block(blocks, "mixed0").layers()).startsWith("conv2d_5").contains("average_pooling2d")
                .endsWith("conv2d_11", "batch_normalization_11", "activation_11", "mixed0");
        assertThat(block(blocks, "mixed8").layers()).contains("max_pooling2d_3").endsWith("mixed8");
        assertThat(block(blocks, "mixed10").layers()).contains("mixed9_1", "concatenate_1")
                .endsWith("conv2d_93", "batch_normalization_93", "activation_93", "mixed10");
        for (Block block : blocks.subList(1, blocks.size())) {
            assertThat(block.layers()).last().isEqualTo(block.name());
        }
    }

    /** Keras' fourteen blocks; each downsampling block starts with its (unnamed) residual convolution. */
    @Test
    void xceptionHasItsFourteenBlocks() {
        List<Block> blocks = blocks("xception");
        assertThat(names(blocks)).isEqualTo(numbered("block", 1, 14));
        assertThat(block(blocks, "block1").layers()).containsExactly("block1_conv1", "block1_conv1_bn",
                "block1_conv1_act", "block1_conv2", "block1_conv2_bn", "block1_conv2_act");
        assertThat(block(blocks, "block3").layers()).startsWith("conv2d_1", "batch_normalization_1",
                "block3_sepconv1_act").endsWith("block3_pool", "add_1");
        assertThat(block(blocks, "block12").layers()).startsWith("block12_sepconv1_act").endsWith("add_10");
        assertThat(block(blocks, "block13").layers()).startsWith("conv2d_3").endsWith("add_11");
        assertThat(block(blocks, "block14").layers()).endsWith("block14_sepconv2_bn", "block14_sepconv2_act");
    }

    /** Each of the 40 Inception-ResNet blocks is a block, between the stem, the reductions and conv_7b. */
    @Test
    void inceptionResNetV2HasEachOfItsInceptionResNetBlocks() {
        List<Block> blocks = blocks("inceptionresnetv2");
        assertThat(names(blocks)).isEqualTo(Stream.of(List.of("stem", "mixed_5b"), numbered("block35_", 1, 10),
                List.of("mixed_6a"), numbered("block17_", 1, 20), List.of("mixed_7a"), numbered("block8_", 1, 10),
                List.of("conv_7b")).flatMap(List::stream).toList());
        assertThat(block(blocks, "block35_1").layers()).startsWith("conv2d_12").endsWith("block35_1_mixed",
                "block35_1_conv", "block35_1", "block35_1_ac");
        assertThat(block(blocks, "mixed_7a").layers()).contains("max_pooling2d_3").endsWith("mixed_7a");
        assertThat(block(blocks, "block8_10").layers()).endsWith("conv2d_202", "batch_normalization_202",
                "activation_202", "block8_10_mixed", "block8_10_conv", "block8_10");
        assertThat(block(blocks, "conv_7b").layers()).containsExactly("conv_7b", "conv_7b_bn", "conv_7b_ac");
    }

    /** Each cell is a block, the layers Keras numbers (ReLUs, shifts, a sum) in the cell they are built in. */
    @Test
    void nasNetHasEachOfItsCells() {
        List<Block> mobile = blocks("nasnetmobile");
        assertThat(names(mobile)).isEqualTo(Stream.of(List.of("stem", "stem_1", "stem_2"), numbered("normal_", 0, 3),
                List.of("reduce_4"), numbered("normal_", 5, 8), List.of("reduce_8"), numbered("normal_", 9, 12))
                .flatMap(List::stream).toList());
        assertThat(block(mobile, "stem_2").layers()).startsWith("adjust_relu_1_stem_2", "adjust_avg_pool_1_stem_2",
                "adjust_conv_1_stem_2", "zero_padding2d", "cropping2d").contains("add_1")
                .endsWith("reduction_concat_stem_2");
        assertThat(block(mobile, "normal_12").layers()).endsWith("normal_concat_12", "activation_187");
        assertThat(names(blocks("nasnetlarge"))).hasSize(3 + 6 + 1 + 6 + 1 + 6)
                .endsWith("reduce_12", "normal_13", "normal_14", "normal_15", "normal_16", "normal_17", "normal_18");
    }

    @Test
    void vggHasItsFiveBlocksAndNoStem() {
        List<Block> blocks = blocks("vgg16");
        assertThat(names(blocks)).isEqualTo(numbered("block", 1, 5));
        assertThat(block(blocks, "block5").layers())
                .containsExactly("block5_conv1", "block5_conv2", "block5_conv3", "block5_pool");
    }

    @Test
    void mobileNetHasItsThirteenDepthwiseSeparableBlocks() {
        List<Block> blocks = blocks("mobilenet");
        assertThat(names(blocks)).isEqualTo(concat(List.of("stem"), numbered("block_", 1, 13)));
        assertThat(block(blocks, "block_2").layers()).containsExactly("conv_pad_2", "conv_dw_2", "conv_dw_2_bn",
                "conv_dw_2_relu", "conv_pw_2", "conv_pw_2_bn", "conv_pw_2_relu");
    }
}
