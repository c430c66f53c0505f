package dev.tl.data;

import dev.tl.TlException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * Labels every image below the root (recursively) by a regular expression searched in its file name: the class is
 * the group named {@code label}, else the first group (Kaggle's {@code cat.123.jpg} with {@code ^(\w+)\.\d+\.jpg$}).
 * An image the expression does not label is an error: a silently dropped image would skew the data.
 */
final class FilenameLabels implements LabelSource {

    private static final int NAMES_SHOWN = 5;
    /** How a bundle records this source: this, then the pattern. */
    private static final String DESCRIBED = "filename:";

    private final String regex;
    private final String flag;
    private final Pattern pattern;
    private final boolean namedGroup;

    /** @param flag the option that gave {@code regex}, for error messages */
    FilenameLabels(String regex, String flag) {
        this.regex = regex;
        this.flag = flag;
        try {
            this.pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new TlException(flag + ": not a valid regular expression: " + e.getMessage(), e);
        }
        this.namedGroup = regex.contains("(?<label>");
        if (pattern.matcher("").groupCount() == 0) {
            throw new TlException(flag + ": '" + regex + "' has no capture group to take the label from "
                    + "(e.g. '^(\\w+)\\.\\d+\\.jpg$' labels cat.123.jpg as cat)");
        }
    }

    @Override
    public List<Entry> entries(Path root, String rootFlag) {
        ImageFolder.requireDirectory(root, rootFlag);
        List<Path> files = ImageFolder.listImages(root, rootFlag);
        if (files.isEmpty()) {
            throw new TlException(rootFlag + ": no images (" + ImageFolder.EXTENSIONS + ") under " + root);
        }
        List<Entry> entries = new ArrayList<>();
        List<Path> unlabelled = new ArrayList<>();
        for (Path file : files) {
            String label = label(file.getFileName().toString());
            if (label == null) {
                unlabelled.add(file);
            } else {
                entries.add(new Entry(file, label, file.toString()));
            }
        }
        if (!unlabelled.isEmpty()) {
            throw new TlException(flag + ": " + unlabelled.size() + " of " + files.size() + " images under " + root
                    + " have names that '" + regex + "' does not label: "
                    + unlabelled.stream().limit(NAMES_SHOWN).map(f -> root.relativize(f).toString())
                    .collect(Collectors.joining(", "))
                    + (unlabelled.size() > NAMES_SHOWN ? ", ..." : "")
                    + " (move them away, or widen the pattern)");
        }
        return entries;
    }

    /** The class in {@code name}, or null when the pattern does not match or captures nothing. */
    private String label(String name) {
        Matcher matcher = pattern.matcher(name);
        if (!matcher.find()) {
            return null;
        }
        String label = namedGroup ? matcher.group("label") : matcher.group(1);
        return label == null || label.isBlank() ? null : label;
    }

    @Override
    public String description() {
        return DESCRIBED + regex;
    }

    /** The pattern in a {@link #description()}; empty for another source's. */
    static Optional<String> patternOf(String description) {
        return description != null && description.startsWith(DESCRIBED)
                ? Optional.of(description.substring(DESCRIBED.length())) : Optional.empty();
    }
}
