package dev.tl.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** The two phases of a run: the head on the frozen base, then the base fine-tuned with it. */
public enum Phase {
    FROZEN("frozen"),
    FINETUNE("finetune");

    private final String id;

    Phase(String id) {
        this.id = id;
    }

    /** How logs, checkpoints and bundles name it. */
    @JsonValue
    public String id() {
        return id;
    }

    @JsonCreator
    public static Phase of(String id) {
        return Arrays.stream(values()).filter(phase -> phase.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no phase " + id));
    }

    @Override
    public String toString() {
        return id;
    }
}
