package dev.tl.cli;

import dev.tl.data.ImageCheck;
import picocli.CommandLine.Option;

/** {@code --max-pixels} and {@code --strict}: what happens to image files that cannot be used. */
final class ImageCheckOptions {

    @Option(names = "--max-pixels", defaultValue = "" + ImageCheck.DEFAULT_MAX_PIXELS, paramLabel = "N",
            converter = Converters.PositiveLong.class,
            description = "Skip images larger than N pixels (width x height, read from the file's header). "
                    + "Default: ${DEFAULT-VALUE}.")
    long maxPixels;

    @Option(names = "--strict",
            description = "Stop at the first image that cannot be used (empty, truncated, not an image, unreadable, "
                    + "over --max-pixels) instead of skipping it with a warning.")
    boolean strict;

    ImageCheck check() {
        return new ImageCheck(maxPixels, strict);
    }
}
