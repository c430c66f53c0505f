package dev.tl.data;

import java.util.Locale;

/**
 * Keras' {@code imagenet_utils.preprocess_input} modes (and the in-model rescaling of EfficientNetV2-S/M/L), applied to
 * RGB pixels in 0..255.
 * The mode is fixed by the weights a backbone was trained with.
 */
public enum Preprocessing {
    /** RGB to BGR, then subtract the ImageNet mean per channel (VGG, ResNet50). */
    CAFFE(new float[] {103.939f, 116.779f, 123.68f}, new float[] {1f, 1f, 1f}, true),
    /** Scale to -1..1 (MobileNet, MobileNetV2, MobileNetV3). */
    TF(new float[] {127.5f, 127.5f, 127.5f}, new float[] {127.5f, 127.5f, 127.5f}, false),
    /** x/128 - 1, EfficientNetV2-S/M/L's in-model Rescaling (exactly, in float: 128 is a power of two). */
    TF128(new float[] {128f, 128f, 128f}, new float[] {128f, 128f, 128f}, false),
    /** Scale to 0..1, then normalise with ImageNet mean/std in RGB (DenseNet, EfficientNet, ConvNeXt). */
    TORCH(scaled(Constants.IMAGENET_MEAN), scaled(Constants.IMAGENET_STD), false);

    /** ImageNet's RGB channel statistics in 0..1 units, as the torch mode uses them. */
    public static final float[] IMAGENET_MEAN = Constants.IMAGENET_MEAN.clone();
    public static final float[] IMAGENET_STD = Constants.IMAGENET_STD.clone();

    /** Enum constants cannot refer to the enum's own static fields while they are being built. */
    private static final class Constants {
        static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
        static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    }

    private static float[] scaled(float[] values) {
        float[] out = values.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= 255;
        }
        return out;
    }

    private final float[] mean;
    private final float[] std;
    private final boolean bgr;

    Preprocessing(float[] mean, float[] std, boolean bgr) {
        this.mean = mean;
        this.std = std;
        this.bgr = bgr;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Preprocessing fromId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }

    /** Subtracted from each channel, in 0..255 units and the model's channel order (see {@link #bgr()}). */
    public float[] mean() {
        return mean.clone();
    }

    /** Each channel is divided by this after the mean is subtracted, in the model's channel order. */
    public float[] std() {
        return std.clone();
    }

    /** Whether the model's channels are in BGR order (caffe); otherwise RGB. */
    public boolean bgr() {
        return bgr;
    }

    /**
     * Writes packed RGB pixels into {@code out} as three planes (channels-first) starting at {@code offset}.
     * Plane c holds the model's channel c (BGR order for caffe).
     */
    public void toPlanes(int[] rgb, float[] out, int offset) {
        write(rgb, out, offset, rgb.length, 1);
    }

    /** Writes packed RGB pixels into {@code out} channels-last (pixel by pixel) starting at {@code offset}. */
    public void toInterleaved(int[] rgb, float[] out, int offset) {
        write(rgb, out, offset, 1, 3);
    }

    /** Channel c of pixel i goes to {@code offset + c * channelStride + i * pixelStride}. */
    private void write(int[] rgb, float[] out, int offset, int channelStride, int pixelStride) {
        for (int i = 0; i < rgb.length; i++) {
            int pixel = rgb[i];
            float r = (pixel >> 16) & 0xFF;
            float g = (pixel >> 8) & 0xFF;
            float b = pixel & 0xFF;
            int at = offset + i * pixelStride;
            out[at] = ((bgr ? b : r) - mean[0]) / std[0];
            out[at + channelStride] = (g - mean[1]) / std[1];
            out[at + 2 * channelStride] = ((bgr ? r : b) - mean[2]) / std[2];
        }
    }
}
