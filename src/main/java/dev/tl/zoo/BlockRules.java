package dev.tl.zoo;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the block a Keras layer belongs to: the first rule whose pattern matches the whole layer name gives the
 * block name, which may refer to the pattern's groups ({@code $1}).
 */
final class BlockRules {

    private record Rule(Pattern layers, String block) {
    }

    private final List<Rule> rules = new ArrayList<>();

    BlockRules rule(String layerPattern, String block) {
        // Anchored: replaceFirst searches again, and must replace the whole name, not a shorter alternative.
        rules.add(new Rule(Pattern.compile("^(?:" + layerPattern + ")$"), block));
        return this;
    }

    String blockOf(String layer) {
        for (Rule rule : rules) {
            Matcher matcher = rule.layers().matcher(layer);
            if (matcher.matches()) {
                return matcher.replaceFirst(rule.block());
            }
        }
        throw new IllegalArgumentException("layer " + layer + " belongs to no block");
    }
}
