package dev.tl.features;

import dev.tl.BuildInfo;
import dev.tl.TlException;
import dev.tl.data.Framing;
import dev.tl.model.BaseLayout;
import dev.tl.model.BaseSpec;
import dev.tl.model.BaseWeights;
import dev.tl.model.ModelSpec;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a file's features were computed, kept in the file with them, so that a model trained on them gets the very
 * backbone that computed them: per base (features concatenated in this order) the backbone, input size,
 * preprocessing, activation layout, framing and starting weights.
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
     * @param framing    how images were framed before resizing ({@link Framing#id()}); null in files from before it,
     *                   which squashed them
     */
    public record Base(String backbone, int imageSize, String preprocessing, String layout, String weights,
                       String weightsMd5, Long seed, int featureSize, String framing) {

        public BaseSpec spec() {
            return new BaseSpec(backbone, imageSize, Framing.of(framing));
        }
    }

    public FeatureProvenance {
        bases = List.copyOf(bases);
    }

    /**
     * The provenance of features of {@code spec}'s bases started from {@code files} (empty: tl's fixed random
     * initialisation, {@link BaseWeights#RANDOM_INIT_SEED}).
     */
    public static FeatureProvenance of(ModelSpec spec, WeightsChoice weights, List<Optional<Path>> files) {
        List<Base> bases = new ArrayList<>();
        for (int i = 0; i < spec.bases().size(); i++) {
            BaseSpec base = spec.bases().get(i);
            Optional<Path> file = files.get(i);
            bases.add(new Base(base.backboneName(), base.imageSize(), base.inputSpec().preprocessing().id(),
                    base.inputSpec().layout().name(),
                    weights.kind() == WeightsChoice.Kind.FILE ? file.orElseThrow().getFileName().toString()
                            : weights.toString(),
                    file.map(WeightCache::md5).orElse(null), file.isPresent() ? null : BaseWeights.RANDOM_INIT_SEED,
                    BaseLayout.of(base).outputChannels(), base.framing().id()));
        }
        return new FeatureProvenance(FORMAT, BuildInfo.version(), bases);
    }

    /** Refuses {@code bases} unless they are these features' bases. */
    public void requireBases(List<BaseSpec> given) {
        if (!given.equals(baseSpecs())) {
            throw new TlException("the features were computed by " + describe(baseSpecs()) + ", not by "
                    + describe(given));
        }
    }

    /**
     * The weights these features' bases started from, as a weights choice: {@code given} if it names them (null:
     * take the file's); a weight file's name is not enough to find it again, so it must be given.
     */
    public WeightsChoice weights(WeightsChoice given) {
        Set<String> recorded = bases.stream().map(Base::weights).collect(Collectors.toSet());
        String kind = recorded.size() == 1 ? recorded.iterator().next() : "several weight files";
        if (given == null) {
            if (!kind.equals("imagenet") && !kind.equals("none")) {
                throw new TlException("the features were computed with the weights " + kind
                        + "; give the same file");
            }
            return WeightsChoice.parse(kind);
        }
        boolean same = given.kind() == WeightsChoice.Kind.FILE ? !kind.equals("imagenet") && !kind.equals("none")
                : given.toString().equals(kind);
        if (!same) {
            throw new TlException("the features were computed with the weights " + kind + ", not " + given);
        }
        return given;
    }

    /** Refuses weight files other than those the features were computed with (by content). */
    public void requireWeightFiles(List<Optional<Path>> files) {
        for (int i = 0; i < bases.size(); i++) {
            String md5 = files.get(i).map(WeightCache::md5).orElse(null);
            if (!Objects.equals(md5, bases.get(i).weightsMd5())) {
                throw new TlException("the features were computed with " + bases.get(i).backbone()
                        + " weights of MD5 " + bases.get(i).weightsMd5() + "; " + files.get(i).orElse(null)
                        + " has " + md5);
            }
        }
    }

    /** What random bases were initialised with, or null if no base is random. */
    public Long randomSeed() {
        return bases.stream().map(Base::seed).filter(Objects::nonNull).findFirst().orElse(null);
    }

    private static String describe(List<BaseSpec> specs) {
        return specs.stream().map(spec -> spec.backboneName() + " at " + spec.imageSize() + " px ("
                        + spec.framing().id() + ")")
                .collect(Collectors.joining(" + "));
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
