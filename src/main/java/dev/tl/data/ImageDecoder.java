package dev.tl.data;

import static org.bytedeco.opencv.global.opencv_core.BORDER_REFLECT;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.WARP_INVERSE_MAP;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.bytedeco.opencv.global.opencv_imgproc.warpAffine;

import dev.tl.TlException;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Decodes images to 8-bit RGB and resizes them, as Keras' {@code image_dataset_from_directory} does
 * ({@code decode_image(channels=3)}, then bilinear {@code tf.image.resize}): grayscale is replicated, alpha dropped,
 * EXIF orientation ignored, aspect ratio not kept. OpenCV (libjpeg-turbo, libpng) decodes JPEG, PNG and BMP;
 * ImageIO, with TwelveMonkeys for CMYK JPEGs, decodes the rest (GIF). Resizing is OpenCV's bilinear interpolation,
 * which uses TensorFlow's half-pixel centres and, like it, no antialiasing.
 */
public final class ImageDecoder {

    static {
        opencv_core.setNumThreads(1); // images are decoded in parallel already
        ImageIO.setUseCache(false);
    }

    private ImageDecoder() {
    }

    /** An image in memory as BGR bytes (OpenCV's order). */
    public static final class Decoded implements AutoCloseable {
        private final Mat bgr;

        private Decoded(Mat bgr) {
            this.bgr = bgr;
        }

        public int width() {
            return bgr.cols();
        }

        /**
         * The part of the image {@code framing} fits to the input, as an image of its own (copied: OpenCV's warps
         * may read past a region's edges into its parent).
         */
        public Decoded framed(Framing framing) {
            int[] region = framing.region(width(), height());
            if (region[2] == width() && region[3] == height()) {
                return new Decoded(bgr.clone());
            }
            try (Rect rect = new Rect(region[0], region[1], region[2], region[3]); Mat part = new Mat(bgr, rect)) {
                return new Decoded(part.clone());
            }
        }

        public int height() {
            return bgr.rows();
        }

        /** The whole image as it was decoded, width x height packed 0xRRGGBB pixels in row-major order. */
        public int[] rgb() {
            byte[] bytes = new byte[width() * height() * 3];
            try (Mat continuous = bgr.isContinuous() ? null : bgr.clone()) {
                (continuous == null ? bgr : continuous).data().get(bytes);
            }
            return packed(bytes);
        }

        /** Bilinear resize to size x size, as packed 0xRRGGBB pixels in row-major order. */
        public int[] resizedRgb(int size) {
            byte[] bytes = new byte[size * size * 3];
            if (bgr.cols() == size && bgr.rows() == size) {
                bgr.data().get(bytes);
            } else {
                try (Mat resized = new Mat(); Size target = new Size(size, size)) {
                    resize(bgr, resized, target, 0, 0, INTER_LINEAR);
                    resized.data().get(bytes);
                }
            }
            return packed(bytes);
        }

        /**
         * {@code transform} applied while resizing to size x size. Geometry costs one bilinear warp (one
         * interpolation for flip, zoom, rotation and shift together); areas from outside the image are filled by
         * mirroring it at its edges (Keras' default "reflect" fill). An unchanged geometry takes the plain resize.
         */
        public int[] transformedRgb(int size, ImageTransform transform) {
            int[] rgb;
            if (transform.keepsGeometry()) {
                rgb = resizedRgb(size);
            } else {
                byte[] bytes = new byte[size * size * 3];
                double[] matrix = transform.outputToSource(width(), height(), size);
                try (DoublePointer values = new DoublePointer(matrix);
                     Mat affine = new Mat(2, 3, CV_64F, values);
                     Mat warped = new Mat();
                     Size target = new Size(size, size);
                     Scalar unusedFill = new Scalar()) {
                    warpAffine(bgr, warped, affine, target, INTER_LINEAR | WARP_INVERSE_MAP, BORDER_REFLECT,
                            unusedFill);
                    warped.data().get(bytes);
                }
                rgb = packed(bytes);
            }
            if (!transform.keepsColours()) {
                transform.adjustColours(rgb);
            }
            return rgb;
        }

        private static int[] packed(byte[] bgrBytes) {
            int[] rgb = new int[bgrBytes.length / 3];
            for (int i = 0, j = 0; i < rgb.length; i++, j += 3) {
                rgb[i] = ((bgrBytes[j + 2] & 0xFF) << 16) | ((bgrBytes[j + 1] & 0xFF) << 8) | (bgrBytes[j] & 0xFF);
            }
            return rgb;
        }

        @Override
        public void close() {
            bgr.close();
        }
    }

    public static Decoded decode(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new TlException("cannot read image " + path + ": " + ImageProbe.describe(e), e);
        }
        return decode(bytes, path.toString());
    }

    /** An image file's content, read elsewhere (another file system); {@code source} names it in errors. */
    public static Decoded decode(byte[] bytes, String source) {
        try (Mat encoded = new Mat(1, bytes.length, CV_8UC1, new BytePointer(bytes))) {
            Mat bgr = imdecode(encoded, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION);
            if (!bgr.empty()) {
                return new Decoded(bgr);
            }
            bgr.close();
        }
        return new Decoded(toMat(readWithImageIo(source, bytes)));
    }

    private static BufferedImage readWithImageIo(String source, byte[] bytes) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new TlException("cannot decode image " + source + ": " + e.getMessage(), e);
        }
        if (image == null) {
            throw new TlException("cannot decode image " + source + ": not a supported image format");
        }
        return image;
    }

    /** Any decoded image as BGR bytes: gray values kept as stored, palette expanded, alpha dropped. */
    private static Mat toMat(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] bgr = new byte[width * height * 3];
        Raster raster = image.getRaster();
        boolean plainGray = raster.getNumBands() <= 2 && image.getColorModel().getNumColorComponents() == 1
                && raster.getSampleModel().getSampleSize(0) <= 16;
        int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
        int[] row = new int[width];
        for (int y = 0, k = 0; y < height; y++) {
            if (!plainGray) {
                image.getRGB(0, y, width, 1, row, 0, width); // colour-converted (e.g. CMYK) ARGB
            }
            for (int x = 0; x < width; x++, k += 3) {
                // Java2D would gamma-convert a linear gray colour space; take the stored values as they are.
                int pixel = plainGray ? gray(raster.getSample(x, y, 0), max) : row[x];
                bgr[k] = (byte) pixel;
                bgr[k + 1] = (byte) (pixel >> 8);
                bgr[k + 2] = (byte) (pixel >> 16);
            }
        }
        Mat mat = new Mat(height, width, CV_8UC3);
        mat.data().put(bgr);
        return mat;
    }

    private static int gray(int sample, int max) {
        int value = (int) (sample * 255L / max);
        return (value << 16) | (value << 8) | value;
    }
}
