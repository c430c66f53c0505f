package dev.tl.cli;

import dev.tl.data.ImageViews;
import dev.tl.data.TestTimeAugmentation;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --tta N} of {@code evaluate} and {@code predict}. */
final class TtaOption {

    @Option(names = "--tta", defaultValue = "1", paramLabel = "N", converter = Views.class,
            description = "Test-time augmentation: average the class probabilities over N fixed views of each image "
                    + "(the image, its mirror image, a centre crop and its mirror image, then corner crops; at most "
                    + TestTimeAugmentation.MAX_VIEWS + "). Default: ${DEFAULT-VALUE} (off).")
    int views;

    ImageViews imageViews() {
        return TestTimeAugmentation.views(views);
    }

    /** From 1 (off) to the number of views there are. */
    static final class Views implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int count = new Converters.Positive().convert(value);
            if (count > TestTimeAugmentation.MAX_VIEWS) {
                throw new TypeConversionException("must be between 1 (off) and " + TestTimeAugmentation.MAX_VIEWS
                        + ", got " + count);
            }
            return count;
        }
    }
}
