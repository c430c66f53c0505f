package dev.tl.cli;

import dev.tl.data.ImageViews;
import dev.tl.data.TestTimeAugmentation;
import picocli.CommandLine.Option;

/** {@code --tta N} of {@code evaluate} and {@code predict}. */
final class TtaOption {

    @Option(names = "--tta", defaultValue = "1", paramLabel = "N",
            description = "Test-time augmentation: average the class probabilities over N fixed views of each image "
                    + "(the image, its mirror image, a centre crop and its mirror image, then corner crops; at most "
                    + TestTimeAugmentation.MAX_VIEWS + "). Default: ${DEFAULT-VALUE} (off).")
    int views;

    ImageViews imageViews() {
        return TestTimeAugmentation.views(views);
    }
}
