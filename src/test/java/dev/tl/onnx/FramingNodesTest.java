package dev.tl.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tl.data.Framing;
import dev.tl.export.OnnxExport;
import dev.tl.export.OnnxRuntimeModel;
import dev.tl.data.ImageDecoder;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import javax.imageio.ImageIO;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The framing in an exported graph gives the pixels tl's own crop and OpenCV resize give, in ONNX Runtime, for
 * images of any shape: noise (the hardest case for interpolation), landscape and portrait, odd sizes, one pixel
 * wide, larger and smaller than the input, at the oldest and newest operator sets.
 */
class FramingNodesTest {

    /** OpenCV's 8-bit resize works in fixed point (11 bits): after rounding, one level of 255 at most. */
    private static final int TOLERANCE = 1;

    @TempDir
    Path dir;

    @Test
    void theGraphFramesAsTlFrames() throws Exception {
        List<Path> images = new ArrayList<>();
        Random random = new Random(3);
        int[][] shapes = {{320, 240}, {240, 320}, {37, 53}, {500, 375}, {64, 64}, {33, 1}, {7, 5}};
        for (int[] shape : shapes) {
            BufferedImage noise = new BufferedImage(shape[0], shape[1], BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < shape[1]; y++) {
                for (int x = 0; x < shape[0]; x++) {
                    noise.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            Path file = dir.resolve(shape[0] + "x" + shape[1] + ".png");
            ImageIO.write(noise, "png", file.toFile());
            images.add(file);
        }
        long values = 0;
        long differing = 0;
        int worst = 0;
        for (int opset : new int[] {OnnxOptions.MIN_OPSET, OnnxOptions.MAX_OPSET}) {
            for (Framing framing : List.of(new Framing(1), Framing.IMAGENET_CROP, Framing.SQUASH)) {
                for (int size : new int[] {32, 224}) {
                    Path model = framingModel(framing, size, opset);
                    try (OnnxRuntimeModel onnx = OnnxRuntimeModel.load(model)) {
                        for (Path image : images) {
                            int[] expected;
                            OnnxRuntimeModel.Tensor whole;
                            try (ImageDecoder.Decoded decoded = ImageDecoder.decode(image);
                                 ImageDecoder.Decoded framed = decoded.framed(framing)) {
                                expected = framed.resizedRgb(size);
                                whole = planes(decoded.rgb(), decoded.height(), decoded.width());
                            }
                            float[] actual = onnx.values(Map.of("image", whole));
                            float[] wanted = planes(expected, size, size).values();
                            for (int i = 0; i < wanted.length; i++) {
                                int difference = (int) Math.abs(actual[i] - wanted[i]);
                                worst = Math.max(worst, difference);
                                differing += difference > 0 ? 1 : 0;
                                values++;
                            }
                            assertThat(worst).as("%s at %d px, opset %d, %s", framing.id(), size, opset,
                                    image.getFileName()).isLessThanOrEqualTo(TOLERANCE);
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "ONNX framing vs tl's: %d of %d values differ (%.3f%%), by at most %d%n",
                differing, values, 100.0 * differing / values, worst);
        // random noise puts many interpolated values near a half, where the fixed point rounds the other way
        assertThat((double) differing / values).isLessThan(0.15);
    }

    /** A model of the framing alone: image [1, 3, H, W] in, framed [1, 3, size, size] out. */
    private Path framingModel(Framing framing, int size, int opset) {
        OnnxGraph graph = new OnnxGraph("framing", opset);
        graph.imageInput("image", OptionalInt.of(1));
        graph.output(FramingNodes.add(graph, "image", framing, size), "framed", OptionalInt.of(1), 3, size, size);
        ModelProto model = ModelProto.newBuilder()
                .setIrVersion(new OnnxOptions(opset, OptionalInt.empty(), true).irVersion())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
                .setGraph(graph.build()).build();
        Path file = dir.resolve(framing.id().replace(':', '-') + "-" + size + "-" + opset + ".onnx");
        OnnxExport.write(model, file);
        return file;
    }

    /** Packed 0xRRGGBB pixels as a [1, 3, height, width] tensor of values 0..255. */
    private static OnnxRuntimeModel.Tensor planes(int[] rgb, int height, int width) {
        int plane = height * width;
        float[] values = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            values[i] = (rgb[i] >> 16) & 0xFF;
            values[plane + i] = (rgb[i] >> 8) & 0xFF;
            values[2 * plane + i] = rgb[i] & 0xFF;
        }
        return new OnnxRuntimeModel.Tensor(values, 1, 3, height, width);
    }
}
