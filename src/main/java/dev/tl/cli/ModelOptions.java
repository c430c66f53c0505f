package dev.tl.cli;

import dev.tl.TlException;
import dev.tl.data.Framing;
import dev.tl.model.BaseLayout;
import dev.tl.model.BaseSpec;
import dev.tl.zoo.Backbone;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --model} and {@code --image-size}: the backbone(s) a command builds and the input size of each. */
final class ModelOptions {

    private static final String MODEL = "--model";
    private static final String IMAGE_SIZE = "--image-size";

    @Option(names = MODEL, paramLabel = "NAME[,NAME...]", completionCandidates = BackboneNames.class,
            description = "Backbone, see `tl models` (predict: classify with its stock ImageNet classifier instead of "
                    + "a bundle). train, lr-find and embed take several, comma-separated: their pooled features are "
                    + "concatenated (fused).")
    String model;

    @Option(names = "--crop", defaultValue = "1", paramLabel = "F|none", converter = Crops.class,
            description = "How images are fitted to the square input: a centred square covering F of the shorter "
                    + "side (1: the largest centred square, Keras' crop_to_aspect_ratio; 0.875: as ImageNet models "
                    + "are evaluated), or none: the whole image squashed to a square, aspect ratio not kept. A "
                    + "trained model keeps its own. Default: ${DEFAULT-VALUE}.")
    Framing framing;

    @Option(names = IMAGE_SIZE, paramLabel = "N[,N...]",
            description = "Input size in pixels, or one per backbone. Default: each backbone's own (224 for most).")
    String imageSize;

    boolean given() {
        return model != null;
    }

    /**
     * The bases, one per backbone named, at their own input size, one size for all, or one size each; checked
     * against what each backbone can take. {@code --model} must be given (on the command line or in a config file).
     */
    List<BaseSpec> bases() {
        Flags.require(model != null, MODEL, "required (on the command line or in --config)");
        List<Backbone> backbones = Flags.about(MODEL,
                () -> Arrays.stream(model.split(",")).map(BackboneNames::resolve).toList());
        Flags.require(new HashSet<>(backbones).size() == backbones.size(), MODEL,
                "a backbone is listed twice in '" + model + "'");
        List<Integer> sizes = imageSize == null ? null : Arrays.stream(imageSize.split(",")).map(this::size).toList();
        Flags.require(sizes == null || sizes.size() == 1 || sizes.size() == backbones.size(), IMAGE_SIZE,
                "give one size, or one per backbone (" + backbones.size() + "), not '" + imageSize + "'");
        List<BaseSpec> bases = new ArrayList<>();
        for (int i = 0; i < backbones.size(); i++) {
            Backbone backbone = backbones.get(i);
            BaseSpec base = new BaseSpec(backbone.name(), sizes == null ? backbone.defaultImageSize()
                    : sizes.get(sizes.size() == 1 ? 0 : i), framing);
            Flags.about(IMAGE_SIZE, () -> BaseLayout.of(base));
            bases.add(base);
        }
        return bases;
    }

    /** A fraction of the shorter side in (0, 1], or none. */
    static final class Crops implements ITypeConverter<Framing> {
        @Override
        public Framing convert(String value) {
            if (value.trim().equalsIgnoreCase("none")) {
                return Framing.SQUASH;
            }
            try {
                return new Framing(new Converters.Decay().convert(value));
            } catch (TypeConversionException e) {
                throw new TypeConversionException("expected a fraction of the shorter side (greater than 0, at most "
                        + "1) or none, got '" + value + "'");
            }
        }
    }

    private int size(String text) {
        try {
            int value = Integer.parseInt(text.trim());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new TlException(IMAGE_SIZE + ": expected positive whole numbers, got '" + imageSize + "'");
    }

    /** The one base of a command that takes a single backbone. */
    BaseSpec single() {
        List<BaseSpec> bases = bases();
        Flags.require(bases.size() == 1, MODEL, "this command takes one backbone, not '" + model + "'");
        return bases.get(0);
    }
}
