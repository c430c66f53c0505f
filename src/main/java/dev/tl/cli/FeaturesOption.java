package dev.tl.cli;

import dev.tl.features.FeatureTable;
import dev.tl.features.ParquetFeatures;
import dev.tl.model.BaseSpec;
import dev.tl.model.BaseWeights;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightsChoice;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code tl train --features}: train the head on features computed by {@code tl embed --out x.parquet}, on this
 * machine or on Spark, instead of on images. The file says which bases computed them from which weights; the model
 * is built from exactly those, and the options that name them must agree.
 */
final class FeaturesOption {

    static final String NAME = "--features";

    @Option(names = NAME, paramLabel = "FILE|DIR",
            description = "Train the head on the features of a " + ParquetFeatures.EXTENSION + " file or directory written by tl embed "
                    + "(with or without --spark) instead of on --data's images. The model gets the backbone(s) and "
                    + "weights that computed them, as the file records (a random backbone its seed); --seed seeds "
                    + "the rest. Head only: no fine-tuning, no augmentation.")
    Path path;

    private FeatureTable table;

    boolean given() {
        return path != null;
    }

    FeatureTable table() {
        if (table == null) {
            Flags.require(ParquetFeatures.isParquet(path), NAME, "expected a " + ParquetFeatures.EXTENSION + " file or directory, got " + path);
            table = Flags.about(NAME, () -> ParquetFeatures.read(path));
        }
        return table;
    }

    /** The file's bases; {@code --model} (and {@code --image-size}), where given, must name them. */
    List<BaseSpec> bases(ModelOptions model) {
        List<BaseSpec> recorded = table().provenance().baseSpecs();
        if (model.given()) {
            List<BaseSpec> named = model.imageSize == null ? model.bases().stream()
                    .map(base -> recorded.stream().filter(r -> r.backboneName().equals(base.backboneName()))
                            .findFirst().orElse(base)).toList()
                    : model.bases();
            Flags.about(NAME, () -> {
                table().provenance().requireBases(named);
                return named;
            });
        }
        return recorded;
    }

    /**
     * The weights the file's bases started from; {@code --weights}, where given, must be those, and a weight file
     * (ImageNet's too, downloaded if need be) must have the content the features were computed with.
     */
    WeightsChoice weights(WeightsChoice given, List<BaseSpec> bases) {
        return Flags.about(NAME, () -> {
            WeightsChoice choice = table().provenance().weights(given);
            if (choice.kind() != WeightsChoice.Kind.NONE) {
                table().provenance().requireWeightFiles(BaseWeights.resolve(
                        new ModelSpec(bases, new HeadSpec(0, 0), 1), choice, WeightCache.standard()));
            }
            return choice;
        });
    }
}
