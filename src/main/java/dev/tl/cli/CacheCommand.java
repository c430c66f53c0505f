package dev.tl.cli;

import dev.tl.TlException;
import dev.tl.engine.OnnxModelCache;
import dev.tl.train.FeatureCache;
import dev.tl.zoo.weights.WeightCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tl cache [clean]}: what the feature, weight and ONNX model caches under $TL_HOME hold, and emptying them.
 */
@Command(name = "cache", mixinStandardHelpOptions = true,
        description = "Show the feature cache ($TL_HOME/features), the weight cache ($TL_HOME/weights) and the "
                + "backbones converted to ONNX ($TL_HOME/onnx) with their sizes; `tl cache clean` empties them.",
        subcommands = CacheCommand.Clean.class,
        footerHeading = "%nExamples:%n", footer = {"  tl cache", "  tl cache clean"})
final class CacheCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    /** One cache directory: what it is for, where, and what it holds. */
    record Usage(String cache, String directory, int files, long bytes) {
    }

    @Override
    public Integer call() {
        output.print(spec, caches().stream().map(CacheCommand::usage).toList(), new UsageRenderer());
        return 0;
    }

    /** A cache directory and what it is called. */
    private record Cache(String name, Path directory) {
    }

    private static List<Cache> caches() {
        return List.of(new Cache("features", FeatureCache.standard().directory()),
                new Cache("weights", WeightCache.standard().directory()),
                new Cache("onnx", OnnxModelCache.standard().directory()));
    }

    private static Usage usage(Cache cache) {
        List<Path> files = files(cache.directory());
        long bytes = files.stream().mapToLong(CacheCommand::size).sum();
        return new Usage(cache.name(), cache.directory().toString(), files.size(), bytes);
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).collect(Collectors.toList());
        } catch (IOException | UncheckedIOException e) {
            throw new TlException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // removed meanwhile
        }
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static final class UsageRenderer implements Renderer<List<Usage>> {
        @Override
        public String text(List<Usage> caches) {
            return caches.stream().map(c -> String.format(Locale.ROOT, "%-9s %6d files %10s  %s", c.cache(),
                    c.files(), megabytes(c.bytes()), c.directory())).collect(Collectors.joining("\n"));
        }
    }

    /** {@code tl cache clean}: deletes every file the caches hold (they fill again as tl needs them). */
    @Command(name = "clean", mixinStandardHelpOptions = true,
            description = "Empty the caches: features are computed again, weights downloaded again, backbones "
                    + "converted to ONNX again when next needed.")
    static final class Clean implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            for (Cache cache : caches()) {
                List<Path> files = files(cache.directory());
                long bytes = 0;
                for (Path file : files) {
                    bytes += size(file);
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        throw new TlException("cannot delete " + file + ": " + e.getMessage(), e);
                    }
                }
                spec.commandLine().getOut().printf("%s: removed %d files (%s) from %s%n", cache.name(),
                        files.size(), megabytes(bytes), cache.directory());
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
