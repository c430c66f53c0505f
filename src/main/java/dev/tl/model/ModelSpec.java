package dev.tl.model;

import dev.tl.data.InputSpec;
import java.util.List;

/** Everything that fixes a model's graph: its backbone(s), head and number of classes. */
public record ModelSpec(List<BaseSpec> bases, HeadSpec head, int numClasses) {

    public ModelSpec {
        bases = List.copyOf(bases);
    }

    public boolean isFused() {
        return bases.size() > 1;
    }

    /** Vertex-name prefix of base {@code i}: none for a single backbone, so layer names stay Keras' own. */
    public String prefix(int i) {
        return isFused() ? bases.get(i).backboneName() + "/" : "";
    }

    public List<InputSpec> inputSpecs() {
        return bases.stream().map(BaseSpec::inputSpec).toList();
    }
}
