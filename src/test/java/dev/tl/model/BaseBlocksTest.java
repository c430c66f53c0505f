package dev.tl.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.zoo.Block;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The blocks of every backbone family, bottom to top, and which layers fall into them. */
class BaseBlocksTest {

    private static List<Block> blocks(String backbone) {
        return ModelGraphs.baseBlocks(new ModelSpec(List.of(new BaseSpec(backbone, 32)), new HeadSpec(0, 0), 2), 0);
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
                "convnext_tiny")) {
            ModelSpec spec = new ModelSpec(List.of(new BaseSpec(backbone, 32)), new HeadSpec(0, 0), 2);
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
