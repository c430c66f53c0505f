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
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
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
        /** The decode's share of the {@link DecodeBudget}, given back when the image is closed; null for copies. */
        private final DecodeBudget.Reservation reservation;

        private Decoded(Mat bgr, DecodeBudget.Reservation reservation) {
            this.bgr = bgr;
            this.reservation = reservation;
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
                return new Decoded(bgr.clone(), null);
            }
            try (Rect rect = new Rect(region[0], region[1], region[2], region[3]); Mat part = new Mat(bgr, rect)) {
                return new Decoded(part.clone(), null);
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
            if (reservation != null) {
                reservation.close();
            }
        }
    }

    /**
     * Decodes an image file, reading only the image itself (not what is appended after it) after reserving the
     * memory its decode takes ({@link DecodeBudget}). A file that is no longer a usable image is an error.
     */
    public static Decoded decode(Path path) {
        try (SeekableByteChannel channel = Files.newByteChannel(path)) {
            ImageProbe.Result image = ImageProbe.probe(path, channel);
            if (!image.usable()) {
                throw new TlException("cannot decode image " + path + ": " + image.problem());
            }
            DecodeBudget.Reservation reservation = DecodeBudget.process().reserve(openCvBytes(image));
            try (BytePointer encoded = read(channel, image.end())) {
                Mat bgr = openCv(encoded, image.end());
                if (bgr != null) {
                    return new Decoded(bgr, reservation);
                }
                // ImageIO's decoders take more: give this reservation back before waiting for the larger one
                reservation.close();
                reservation = DecodeBudget.process().reserve(imageIoBytes(image));
                byte[] bytes = new byte[(int) image.end()];
                encoded.get(bytes);
                return new Decoded(toMat(readWithImageIo(path.toString(), bytes, image.format())), reservation);
            } catch (IOException | RuntimeException | Error e) {
                reservation.close();
                throw e;
            }
        } catch (IOException e) {
            throw new TlException("cannot read image " + path + ": " + ImageProbe.describe(e), e);
        }
    }

    /**
     * Bytes held while OpenCV decodes an image: the file's image, the decoded pixels, a framed copy of them, and for
     * a progressive JPEG the coefficients of the whole image (2 bytes each, 3 components at full resolution).
     */
    static long openCvBytes(ImageProbe.Result image) {
        return image.end() + image.pixels() * (3 + 3 + (image.progressive() ? 6 : 0));
    }

    /**
     * Bytes held while ImageIO decodes an image OpenCV cannot (GIF, some CMYK JPEGs): the file's image, read and
     * copied to the heap; ImageIO's raster (up to 4 bytes a pixel, CMYK) and a colour-converted copy; the pixels and
     * a framed copy of them.
     */
    static long imageIoBytes(ImageProbe.Result image) {
        return 2 * image.end() + image.pixels() * (4 + 4 + 3 + 3);
    }

    /** The first {@code length} bytes of the file, in native memory (where OpenCV reads them, without a copy). */
    private static BytePointer read(SeekableByteChannel channel, long length) throws IOException {
        BytePointer bytes = new BytePointer(length);
        ByteBuffer buffer = bytes.asByteBuffer();
        channel.position(0);
        while (buffer.hasRemaining() && channel.read(buffer) > 0) {
            // a channel may return fewer bytes than asked
        }
        if (buffer.hasRemaining()) {
            bytes.close();
            throw new IOException("it became shorter while it was read");
        }
        return bytes;
    }

    /** The image OpenCV decodes from {@code length} encoded bytes, or null where it cannot. */
    private static Mat openCv(BytePointer encoded, long length) {
        try (Mat bytes = new Mat(1, (int) length, CV_8UC1, encoded)) {
            Mat bgr = imdecode(bytes, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION);
            if (!bgr.empty()) {
                return bgr;
            }
            bgr.close();
            return null;
        }
    }

    /** An image file's content, read elsewhere (another file system); {@code source} names it in errors. */
    public static Decoded decode(byte[] bytes, String source) {
        try (BytePointer encoded = new BytePointer(bytes)) {
            Mat bgr = openCv(encoded, bytes.length);
            if (bgr != null) {
                return new Decoded(bgr, null);
            }
        }
        return new Decoded(toMat(readWithImageIo(source, bytes, null)), null);
    }

    /** Decoded by ImageIO's reader of {@code format} (any reader when null). */
    private static BufferedImage readWithImageIo(String source, byte[] bytes, String format) {
        BufferedImage image;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = format == null ? ImageIO.getImageReaders(in)
                    : ImageIO.getImageReadersByFormatName(format);
            if (!readers.hasNext()) {
                throw new TlException("cannot decode image " + source + ": not a supported image format");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof TlException tl) {
                throw tl;
            }
            throw new TlException("cannot decode image " + source + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
        return image;
    }

    /**
     * Any decoded image as BGR bytes: gray values kept as stored, palette expanded, alpha dropped; written into the
     * Mat a row at a time.
     */
    private static Mat toMat(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        Raster raster = image.getRaster();
        boolean plainGray = raster.getNumBands() <= 2 && image.getColorModel().getNumColorComponents() == 1
                && raster.getSampleModel().getSampleSize(0) <= 16;
        int max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
        int[] row = new int[width];
        byte[] bgr = new byte[width * 3];
        Mat mat = new Mat(height, width, CV_8UC3);
        BytePointer data = mat.data();
        for (int y = 0; y < height; y++) {
            if (!plainGray) {
                image.getRGB(0, y, width, 1, row, 0, width); // colour-converted (e.g. CMYK) ARGB
            }
            for (int x = 0, k = 0; x < width; x++, k += 3) {
                // Java2D would gamma-convert a linear gray colour space; take the stored values as they are.
                int pixel = plainGray ? gray(raster.getSample(x, y, 0), max) : row[x];
                bgr[k] = (byte) pixel;
                bgr[k + 1] = (byte) (pixel >> 8);
                bgr[k + 2] = (byte) (pixel >> 16);
            }
            data.position((long) y * bgr.length).put(bgr);
        }
        return mat;
    }

    private static int gray(int sample, int max) {
        int value = (int) (sample * 255L / max);
        return (value << 16) | (value << 8) | value;
    }
}
