package dev.tl.train;

import dev.tl.data.DataSplit;
import dev.tl.data.ImageSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The images of a run's split as its checkpoint records them: the classes, and every training, validation and test
 * image (absolute path) with its class. A resume compares it with the data as it is now, so saved weights never go
 * on training on other data, and says what changed: classes renamed, added or removed; images added, removed or
 * moved to another class.
 */
public record DataRecord(List<String> classes, List<Image> train, List<Image> validation, List<Image> test) {

    private static final int EXAMPLES = 3;

    /** An image and its class. */
    public record Image(String path, String label) {
    }

    public static DataRecord of(DataSplit split) {
        return new DataRecord(split.train().classes(), images(split.train()), images(split.validation()),
                images(split.test()));
    }

    private static List<Image> images(ImageSet set) {
        return set.images().stream().map(image -> new Image(image.path().toAbsolutePath().normalize().toString(),
                set.classes().get(image.label()))).toList();
    }

    /** What is wrong with a record read from a file, naming the field; null when nothing is. */
    String problem() {
        if (classes == null || classes.size() < 2 || classes.contains(null) || new HashSet<>(classes).size()
                != classes.size()) {
            return "classes must be two or more distinct names, not " + classes;
        }
        for (Map.Entry<String, List<Image>> part : parts().entrySet()) {
            if (part.getValue() == null) {
                return part.getKey() + " is missing";
            }
            for (Image image : part.getValue()) {
                if (image == null || image.path() == null || !classes.contains(image.label())) {
                    return part.getKey() + " holds " + image + ", not an image path with one of the classes";
                }
            }
        }
        return null;
    }

    private Map<String, List<Image>> parts() {
        Map<String, List<Image>> parts = new LinkedHashMap<>();
        parts.put("train", train);
        parts.put("validation", validation);
        parts.put("test", test);
        return parts;
    }

    /**
     * How the data {@code now} differs from this record's, in words (paths below {@code root} shown relative to
     * it); null when it is the same.
     */
    String changesTo(DataRecord now, Path root) {
        if (equals(now)) {
            return null;
        }
        Map<String, String> before = labels();
        Map<String, String> after = now.labels();
        List<String> changes = new ArrayList<>();
        Set<String> removedClasses = new TreeSet<>(classes);
        removedClasses.removeAll(now.classes);
        Set<String> addedClasses = new TreeSet<>(now.classes);
        addedClasses.removeAll(classes);
        Map<String, String> renamed = new LinkedHashMap<>();
        for (String old : removedClasses) {
            addedClasses.stream().filter(name -> !renamed.containsValue(name))
                    .filter(name -> fileNames(before, old).equals(fileNames(after, name))).findFirst()
                    .ifPresent(name -> renamed.put(old, name));
        }
        renamed.forEach((old, name) -> changes.add("class " + old + " renamed to " + name));
        removedClasses.stream().filter(name -> !renamed.containsKey(name)).forEach(name -> changes.add("class "
                + name + " removed (" + count(before, name) + " images)"));
        addedClasses.stream().filter(name -> !renamed.containsValue(name)).forEach(name -> changes.add("class "
                + name + " added (" + count(after, name) + " images)"));

        // Images outside the classes described above.
        List<String> added = after.entrySet().stream().filter(e -> !before.containsKey(e.getKey())
                && classes.contains(e.getValue())).map(Map.Entry::getKey).sorted().toList();
        List<String> removed = before.entrySet().stream().filter(e -> !after.containsKey(e.getKey())
                && now.classes.contains(e.getValue())).map(Map.Entry::getKey).sorted().toList();
        List<String> moved = before.entrySet().stream().filter(e -> after.containsKey(e.getKey())
                && !after.get(e.getKey()).equals(e.getValue())
                && !after.get(e.getKey()).equals(renamed.get(e.getValue())))
                .map(e -> shown(e.getKey(), root) + " from " + e.getValue() + " to " + after.get(e.getKey()))
                .sorted().toList();
        describe(changes, added.stream().map(path -> shown(path, root)).toList(), "added");
        describe(changes, removed.stream().map(path -> shown(path, root)).toList(), "removed");
        describe(changes, moved, "moved to another class");
        if (changes.isEmpty()) {
            changes.add("the same images are split differently into training, validation and test images");
        }
        return String.join("; ", changes);
    }

    private Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        Stream.of(train, validation, test).flatMap(List::stream).forEach(image -> labels.put(image.path(),
                image.label()));
        return labels;
    }

    private static Set<String> fileNames(Map<String, String> labels, String label) {
        return labels.entrySet().stream().filter(e -> e.getValue().equals(label))
                .map(e -> Path.of(e.getKey()).getFileName().toString()).collect(Collectors.toSet());
    }

    private static long count(Map<String, String> labels, String label) {
        return labels.values().stream().filter(label::equals).count();
    }

    private static void describe(List<String> changes, List<String> images, String what) {
        if (!images.isEmpty()) {
            changes.add(images.size() + (images.size() == 1 ? " image " : " images ") + what + " ("
                    + String.join(", ", images.subList(0, Math.min(EXAMPLES, images.size())))
                    + (images.size() > EXAMPLES ? ", ..." : "") + ")");
        }
    }

    private static String shown(String path, Path root) {
        Path file = Path.of(path);
        Path base = root.toAbsolutePath().normalize();
        return file.startsWith(base) ? base.relativize(file).toString() : path;
    }
}
