package dev.tl.export;

import dev.tl.data.ImageDecoder;
import dev.tl.data.InputSpec;
import dev.tl.data.LabelledImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Tensors for an exported model: tl's own preprocessed batches in NCHW, or raw pixels as a caller would have. */
public final class OnnxInputs {

    private OnnxInputs() {
    }

    /** A DL4J input batch [N, H, W, C] as the [N, C, H, W] tensor the ONNX model takes. */
    public static OnnxRuntimeModel.Tensor nchw(INDArray nhwc) {
        INDArray planes = nhwc.permute(0, 3, 1, 2).castTo(DataType.FLOAT).dup('c');
        return new OnnxRuntimeModel.Tensor(planes.data().asFloat(), planes.shape());
    }

    /** The images decoded, framed and resized as tl does for {@code input}, RGB values 0..255, [N, 3, size, size]. */
    public static OnnxRuntimeModel.Tensor rawRgb(List<LabelledImage> images, InputSpec input) {
        int size = input.imageSize();
        int pixels = size * size;
        float[] values = new float[images.size() * 3 * pixels];
        for (int n = 0; n < images.size(); n++) {
            int[] rgb;
            try (ImageDecoder.Decoded decoded = ImageDecoder.decode(images.get(n).path());
                 ImageDecoder.Decoded framed = decoded.framed(input.framing())) {
                rgb = framed.resizedRgb(size);
            }
            for (int i = 0; i < pixels; i++) {
                int offset = n * 3 * pixels + i;
                values[offset] = (rgb[i] >> 16) & 0xFF;
                values[offset + pixels] = (rgb[i] >> 8) & 0xFF;
                values[offset + 2 * pixels] = rgb[i] & 0xFF;
            }
        }
        return new OnnxRuntimeModel.Tensor(values, images.size(), 3, size, size);
    }

    /** One image as decoded, unframed, RGB values 0..255: [1, 3, height, width], what a caller's decoder gives. */
    public static OnnxRuntimeModel.Tensor decoded(Path image) {
        try (ImageDecoder.Decoded decoded = ImageDecoder.decode(image)) {
            int[] rgb = decoded.rgb();
            int plane = rgb.length;
            float[] values = new float[3 * plane];
            for (int i = 0; i < plane; i++) {
                values[i] = (rgb[i] >> 16) & 0xFF;
                values[plane + i] = (rgb[i] >> 8) & 0xFF;
                values[2 * plane + i] = rgb[i] & 0xFF;
            }
            return new OnnxRuntimeModel.Tensor(values, 1, 3, decoded.height(), decoded.width());
        }
    }

    /**
     * The probabilities of a model that frames images itself, image by image (they differ in size), every input
     * (one per backbone) fed the same decoded image.
     */
    public static float[][] runOnDecoded(OnnxRuntimeModel model, List<String> inputNames, List<LabelledImage> images)
            throws ai.onnxruntime.OrtException {
        float[][] probabilities = new float[images.size()][];
        for (int n = 0; n < images.size(); n++) {
            Map<String, OnnxRuntimeModel.Tensor> feed = new LinkedHashMap<>();
            OnnxRuntimeModel.Tensor image = decoded(images.get(n).path());
            inputNames.forEach(name -> feed.put(name, image));
            probabilities[n] = model.run(feed)[0];
        }
        return probabilities;
    }

    /** The largest absolute difference between two probability tables of the same shape. */
    public static double maxAbsDifference(float[][] a, float[][] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(a.length + " rows against " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) {
                throw new IllegalArgumentException(a[i].length + " columns against " + b[i].length);
            }
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }
}
