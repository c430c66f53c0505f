package dev.tl.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tl.TlException;

/** How much of the base the fine-tune phase trains: all of it, or its top N layers. */
public record Unfreeze(int topLayers) {

    public static final Unfreeze ALL = new Unfreeze(Integer.MAX_VALUE);

    public boolean isAll() {
        return topLayers == Integer.MAX_VALUE;
    }

    @JsonCreator
    public static Unfreeze parse(String value) {
        if (value.equalsIgnoreCase("all")) {
            return ALL;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) {
                return new Unfreeze(n);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new TlException("--unfreeze: expected 'all' or a positive number of layers, got '" + value + "'");
    }

    @JsonValue
    @Override
    public String toString() {
        return isAll() ? "all" : Integer.toString(topLayers);
    }
}
