package dev.tl.zoo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The older names a family's layers carry in weight files that Keras published before it renamed them (ResNet50's
 * {@code res2a_branch2a}, MobileNetV2's {@code mobl1_conv_1_expand}), each mapped to today's Keras name. Keras itself
 * never needed them: its legacy {@code load_weights} pairs layers by order. tl matches by name, and an alias keeps the
 * match exact where the order alone would be ambiguous.
 */
public final class LayerAliases {

    /** For families whose published files use today's names. */
    public static final LayerAliases NONE = new LayerAliases();

    private record Rule(Pattern fileName, Function<MatchResult, String> todaysName) {
    }

    private final List<Rule> rules = new ArrayList<>();

    LayerAliases alias(String fileNamePattern, Function<MatchResult, String> todaysName) {
        rules.add(new Rule(Pattern.compile(fileNamePattern), todaysName));
        return this;
    }

    /** Today's Keras name of a layer that a weight file calls {@code fileLayerName}, if it is a known older name. */
    public Optional<String> todaysName(String fileLayerName) {
        for (Rule rule : rules) {
            Matcher matcher = rule.fileName().matcher(fileLayerName);
            if (matcher.matches()) {
                return Optional.of(rule.todaysName().apply(matcher.toMatchResult()));
            }
        }
        return Optional.empty();
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }
}
