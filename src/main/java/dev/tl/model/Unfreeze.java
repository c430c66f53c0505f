package dev.tl.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tl.TlException;

/** How much of the base the fine-tune phase trains: all of it, its top N layers, or its top N blocks. */
public record Unfreeze(int top, Unit unit) {

    /** What {@link #top} counts. */
    public enum Unit { LAYERS, BLOCKS }

    private static final String BLOCKS_SUFFIX = " blocks";

    public static final Unfreeze ALL = new Unfreeze(Integer.MAX_VALUE, Unit.LAYERS);

    /** The top {@code topLayers} layers. */
    public Unfreeze(int topLayers) {
        this(topLayers, Unit.LAYERS);
    }

    /** The top {@code n} blocks of each base (see {@link dev.tl.zoo.Architecture#blockOf}). */
    public static Unfreeze blocks(int n) {
        if (n < 1) {
            throw new TlException("--unfreeze-blocks must be at least 1, got " + n);
        }
        return new Unfreeze(n, Unit.BLOCKS);
    }

    public boolean isAll() {
        return top == Integer.MAX_VALUE;
    }

    public boolean byBlocks() {
        return unit == Unit.BLOCKS;
    }

    /** {@code all}, a number of layers, or (as bundles record it) {@code "N blocks"}. */
    @JsonCreator
    public static Unfreeze parse(String value) {
        if (value.equalsIgnoreCase("all")) {
            return ALL;
        }
        boolean blocks = value.endsWith(BLOCKS_SUFFIX);
        String number = blocks ? value.substring(0, value.length() - BLOCKS_SUFFIX.length()) : value;
        try {
            int n = Integer.parseInt(number.trim());
            if (n > 0) {
                return blocks ? blocks(n) : new Unfreeze(n);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new TlException("--unfreeze: expected 'all' or a positive number of layers, got '" + value + "'");
    }

    @JsonValue
    @Override
    public String toString() {
        return isAll() ? "all" : top + (byBlocks() ? BLOCKS_SUFFIX : "");
    }
}
