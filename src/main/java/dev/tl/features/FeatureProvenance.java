package dev.tl.features;

import dev.tl.BuildInfo;
import dev.tl.model.BaseLayout;
import dev.tl.model.BaseSpec;
import dev.tl.model.ModelSpec;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a file's features were computed, kept in the file with them, so that a model trained on them gets the very
 * backbone that computed them: per base (features concatenated in this order) the backbone, input size,
 * preprocessing, activation layout and starting weights.
 *
 * @param format    {@link #FORMAT}, for readers of later versions
 * @param tlVersion the tl that computed them
 */
public record FeatureProvenance(String format, String tlVersion, List<Base> bases) {

    public static final String FORMAT = "tl-features-1";

    /**
     * @param weights    imagenet, none, or the weight file's name
     * @param weightsMd5 the MD5 of the weight file's content; null for none
     * @param seed       what the random initialisation was seeded with; null unless weights is none
     */
    public record Base(String backbone, int imageSize, String preprocessing, String layout, String weights,
                       String weightsMd5, Long seed, int featureSize) {

        public BaseSpec spec() {
            return new BaseSpec(backbone, imageSize);
        }
    }

    public FeatureProvenance {
        bases = List.copyOf(bases);
    }

    /** The provenance of features of {@code spec}'s bases started from {@code files} (empty: random from seed). */
    public static FeatureProvenance of(ModelSpec spec, WeightsChoice weights, List<Optional<Path>> files, long seed) {
        List<Base> bases = new ArrayList<>();
        for (int i = 0; i < spec.bases().size(); i++) {
            BaseSpec base = spec.bases().get(i);
            Optional<Path> file = files.get(i);
            bases.add(new Base(base.backboneName(), base.imageSize(), base.inputSpec().preprocessing().id(),
                    base.inputSpec().layout().name(),
                    weights.kind() == WeightsChoice.Kind.FILE ? file.orElseThrow().getFileName().toString()
                            : weights.toString(),
                    file.map(WeightCache::md5).orElse(null), file.isPresent() ? null : seed,
                    BaseLayout.of(base).outputChannels()));
        }
        return new FeatureProvenance(FORMAT, BuildInfo.version(), bases);
    }

    public List<BaseSpec> baseSpecs() {
        return bases.stream().map(Base::spec).toList();
    }

    /** The length of a feature vector: the bases' features, concatenated. */
    public int featureSize() {
        return bases.stream().mapToInt(Base::featureSize).sum();
    }

    /** Where base {@code i}'s features start in a feature vector. */
    public int offset(int i) {
        return bases.subList(0, i).stream().mapToInt(Base::featureSize).sum();
    }
}
