package dev.tl.model;

import dev.tl.TlException;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/** Parses {@code --model a,b,...} and {@code --image-size N | N1,N2,...} into the bases of a model. */
public final class BaseSpecs {

    private BaseSpecs() {
    }

    /** @param imageSizes null for each backbone's default, one size for all, or one per backbone */
    public static List<BaseSpec> parse(String models, String imageSizes) {
        List<Backbone> backbones;
        try {
            backbones = Arrays.stream(models.split(",")).map(Backbones::get).toList();
        } catch (TlException e) {
            throw new TlException("--model: " + e.getMessage(), e);
        }
        if (new HashSet<>(backbones).size() != backbones.size()) {
            throw new TlException("--model: a backbone is listed twice in '" + models + "'");
        }
        List<Integer> sizes = imageSizes == null ? null : Arrays.stream(imageSizes.split(","))
                .map(size -> parseSize(size, imageSizes)).toList();
        if (sizes != null && sizes.size() != 1 && sizes.size() != backbones.size()) {
            throw new TlException("--image-size: give one size, or one per backbone (" + backbones.size()
                    + "), not '" + imageSizes + "'");
        }
        List<BaseSpec> bases = new ArrayList<>();
        for (int i = 0; i < backbones.size(); i++) {
            Backbone backbone = backbones.get(i);
            int size = sizes == null ? backbone.defaultImageSize() : sizes.get(sizes.size() == 1 ? 0 : i);
            BaseSpec base = new BaseSpec(backbone.name(), size);
            try {
                BaseLayout.of(base);
            } catch (TlException e) {
                throw new TlException("--image-size: " + e.getMessage(), e);
            }
            bases.add(base);
        }
        return bases;
    }

    private static int parseSize(String size, String option) {
        try {
            int value = Integer.parseInt(size.trim());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new TlException("--image-size: expected positive whole numbers, got '" + option + "'");
    }
}
