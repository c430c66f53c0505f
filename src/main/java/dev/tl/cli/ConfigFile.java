package dev.tl.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/**
 * {@code --config FILE}: option values from a YAML or JSON file, keyed by the long option name without dashes
 * ({@code frozen-epochs: 5}, or {@code frozen_epochs}). Works as picocli's default value provider, so every option
 * of the command is settable and anything given on the command line wins. Lists become comma-separated values;
 * relative paths (of options that take a FILE or DIR) are relative to the config file's directory; a key given
 * twice is an error.
 */
final class ConfigFile implements CommandLine.IDefaultValueProvider {

    static final String OPTION = ConfigOption.NAME;

    /** Built when a file is read: it loads ~400 classes, which every command would otherwise pay at start-up. */
    private static final class Yaml {
        static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    }

    /** A parameter label naming a path, such as DIR, FILE, FILE.png or imagenet|none|FILE. */
    private static final Pattern PATH_LABEL = Pattern.compile("(^|\\|)(FILE|DIR)(\\.\\w+)?($|\\|)");

    /** Per command, the values of the file read (a command is parsed once per execution). */
    private final Map<CommandSpec, Map<String, String>> loaded = new HashMap<>();

    @Override
    public String defaultValue(ArgSpec arg) {
        Path file = fileFor(arg);
        return file == null ? null : values(arg.command(), file).get(key((OptionSpec) arg));
    }

    /** The config file that sets {@code arg}'s value, or null (not set by one, or set on the command line). */
    Path sourceOf(ArgSpec arg) {
        Path file = fileFor(arg);
        return file != null && arg.originalStringValues().isEmpty()
                && values(arg.command(), file).containsKey(key((OptionSpec) arg)) ? file : null;
    }

    private static Path fileFor(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.longestName().equals(OPTION)) {
            return null;
        }
        OptionSpec configOption = arg.command().findOption(OPTION);
        return configOption == null ? null : configOption.getValue();
    }

    private Map<String, String> values(CommandSpec command, Path file) {
        return loaded.computeIfAbsent(command, c -> read(c, file));
    }

    private static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    private static Map<String, String> read(CommandSpec command, Path file) {
        JsonNode root;
        try {
            root = Yaml.MAPPER.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw fail(command, file + ": not valid YAML/JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw fail(command, "cannot read " + file + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw fail(command, file + ": expected a mapping of option names to values");
        }
        Map<String, OptionSpec> options = command.options().stream()
                .filter(o -> !o.longestName().equals(OPTION) && !o.usageHelp() && !o.versionHelp())
                .collect(Collectors.toMap(ConfigFile::key, o -> o, (a, b) -> a));
        Map<String, String> values = new HashMap<>();
        Map<String, String> spelling = new HashMap<>();
        List<String> unknown = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey().replace('_', '-');
            OptionSpec option = options.get(name);
            if (option == null) {
                unknown.add(entry.getKey());
                continue;
            }
            String earlier = spelling.put(name, entry.getKey());
            if (earlier != null) {
                throw fail(command, file + ": " + earlier + " and " + entry.getKey() + " set the same option");
            }
            values.put(name, resolved(option, text(command, file, entry.getKey(), entry.getValue()), file));
        }
        if (!unknown.isEmpty()) {
            throw fail(command, file + ": no such option of `tl " + command.name() + "`: " + String.join(", ", unknown)
                    + " (see tl " + command.name() + " --help)");
        }
        return values;
    }

    /** A relative path of an option that takes one, made relative to the config file's directory. */
    private static String resolved(OptionSpec option, String value, Path file) {
        String label = option.paramLabel();
        if (!PATH_LABEL.matcher(label).find() || Arrays.asList(label.split("\\|")).contains(value)) {
            return value;
        }
        try {
            Path path = Path.of(value);
            Path dir = file.toAbsolutePath().getParent();
            return path.isAbsolute() || dir == null ? value : dir.resolve(path).normalize().toString();
        } catch (InvalidPathException e) {
            return value; // the option's own converter reports it
        }
    }

    private static String text(CommandSpec command, Path file, String key, JsonNode value) {
        if (value.isArray()) {
            return StreamSupport.stream(value.spliterator(), false).map(v -> text(command, file, key, v))
                    .collect(Collectors.joining(","));
        }
        if (value.isContainerNode() || value.isNull()) {
            throw fail(command, file + ": " + key + " must be a value or a list of values");
        }
        return value.asText();
    }

    private static CommandLine.ParameterException fail(CommandSpec command, String message) {
        return new CommandLine.ParameterException(command.commandLine(), message);
    }
}
