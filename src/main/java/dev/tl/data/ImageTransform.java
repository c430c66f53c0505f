package dev.tl.data;

/**
 * What to do to one image on its way to the network, in units independent of its pixel size so one transform fits
 * every input size of a fused model. Geometry acts on the image as if it had first been resized to the square input:
 * flip, then zoom by {@code scale} about the centre ({@code > 1} magnifies), rotate about the centre, then shift by
 * a fraction of the side. Colours are then scaled by {@code brightness} and their spread around the mean grey level
 * by {@code contrast} (1 = unchanged for both).
 */
public record ImageTransform(boolean flipHorizontal, boolean flipVertical, double rotationDegrees, double scale,
                             double shiftX, double shiftY, double brightness, double contrast) {

    public static final ImageTransform IDENTITY = new ImageTransform(false, false, 0, 1, 0, 0, 1, 1);

    public boolean keepsGeometry() {
        return !flipHorizontal && !flipVertical && rotationDegrees == 0 && scale == 1 && shiftX == 0 && shiftY == 0;
    }

    public boolean keepsColours() {
        return brightness == 1 && contrast == 1;
    }

    /**
     * The 2x3 matrix (row-major) taking output pixel coordinates of a {@code size} x {@code size} image to source
     * pixel coordinates of a {@code width} x {@code height} image, with pixel centres at +0.5 as in the plain resize:
     * with no geometric change it is exactly the resize's mapping.
     */
    double[] outputToSource(int width, int height, int size) {
        double radians = Math.toRadians(rotationDegrees);
        double cos = Math.cos(radians);
        double sin = Math.sin(radians);
        double fx = flipHorizontal ? -1 : 1;
        double fy = flipVertical ? -1 : 1;
        // Centred unit coordinates p of the output; q = flip * (1/scale) * rotate(-angle) * (p - shift) in the source.
        double m00 = fx * cos / scale;
        double m01 = fx * sin / scale;
        double m10 = -fy * sin / scale;
        double m11 = fy * cos / scale;
        double px = 0.5 / size - 0.5 - shiftX;
        double py = 0.5 / size - 0.5 - shiftY;
        return new double[] {
            width * m00 / size, width * m01 / size, width * (m00 * px + m01 * py) + width / 2.0 - 0.5,
            height * m10 / size, height * m11 / size, height * (m10 * px + m11 * py) + height / 2.0 - 0.5};
    }

    /** Applies brightness and contrast to packed 0xRRGGBB pixels in place, clamped to 0..255. */
    void adjustColours(int[] rgb) {
        double meanGrey = 0;
        for (int pixel : rgb) {
            meanGrey += 0.299 * ((pixel >> 16) & 0xFF) + 0.587 * ((pixel >> 8) & 0xFF) + 0.114 * (pixel & 0xFF);
        }
        meanGrey /= rgb.length;
        int[] table = new int[256];
        for (int value = 0; value < 256; value++) {
            double adjusted = brightness * (meanGrey + contrast * (value - meanGrey));
            table[value] = (int) Math.round(Math.max(0, Math.min(255, adjusted)));
        }
        for (int i = 0; i < rgb.length; i++) {
            int pixel = rgb[i];
            rgb[i] = (table[(pixel >> 16) & 0xFF] << 16) | (table[(pixel >> 8) & 0xFF] << 8) | table[pixel & 0xFF];
        }
    }
}
