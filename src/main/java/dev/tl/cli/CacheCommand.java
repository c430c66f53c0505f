package dev.tl.cli;

import dev.tl.TlException;
import dev.tl.engine.OnnxModelCache;
import dev.tl.engine.OrtNatives;
import dev.tl.features.FeatureCache;
import dev.tl.zoo.Backbone;
import dev.tl.zoo.Backbones;
import dev.tl.zoo.weights.WeightCache;
import dev.tl.zoo.weights.WeightFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tl cache [clean]}: what the feature, weight and ONNX model caches and ONNX Runtime's unpacked libraries
 * under $TL_HOME hold, and emptying them.
 * Only the files tl keeps there count; anything else in those directories is the user's, and stays.
 */
@Command(name = "cache", mixinStandardHelpOptions = true,
        description = "Show the feature cache ($TL_HOME/features), the weight cache ($TL_HOME/weights), the "
                + "backbones converted to ONNX ($TL_HOME/onnx) and ONNX Runtime's unpacked libraries "
                + "($TL_HOME/natives) with their sizes; `tl cache clean` empties them (of "
                + "the files tl keeps there; other files stay).",
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

    /** A cache directory, what it is called, and the files in it that are the cache's. */
    private record Cache(String name, Path directory, Callable<List<Path>> ownFiles) {

        List<Path> files() {
            try {
                return ownFiles.call();
            } catch (Exception e) {
                throw new TlException("cannot list " + directory + ": " + e.getMessage(), e);
            }
        }

        /** How many files are in the directory (below it too) that are not the cache's. */
        long others() {
            if (!Files.isDirectory(directory)) {
                return 0;
            }
            List<Path> own = files();
            try (Stream<Path> walk = Files.walk(directory)) {
                return walk.filter(Files::isRegularFile).filter(file -> !own.contains(file)).count();
            } catch (IOException | UncheckedIOException e) {
                throw new TlException("cannot list " + directory + ": " + e.getMessage(), e);
            }
        }
    }

    private static List<Cache> caches() {
        FeatureCache features = FeatureCache.standard();
        WeightCache weights = WeightCache.standard();
        OnnxModelCache onnx = OnnxModelCache.standard();
        List<WeightFile> published = Backbones.all().stream().map(Backbone::weights).filter(Objects::nonNull)
                .flatMap(w -> w.all().stream()).flatMap(pair -> Stream.of(pair.noTop(), pair.withTop()))
                .filter(Objects::nonNull).toList();
        return List.of(new Cache("features", features.directory(), features::ownFiles),
                new Cache("weights", weights.directory(), () -> weights.ownFiles(published)),
                new Cache("onnx", onnx.directory(), onnx::ownFiles),
                new Cache("natives", OrtNatives.directory(), () -> OrtNatives.ownFiles(OrtNatives.directory())));
    }

    private static Usage usage(Cache cache) {
        List<Path> files = cache.files();
        long bytes = files.stream().mapToLong(CacheCommand::size).sum();
        return new Usage(cache.name(), cache.directory().toString(), files.size(), bytes);
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

    /**
     * {@code tl cache clean}: deletes the files the caches hold (they fill again as tl needs them), and nothing
     * else: a user's files in those directories stay.
     */
    @Command(name = "clean", mixinStandardHelpOptions = true,
            description = "Empty the caches: features are computed again, weights downloaded again, backbones "
                    + "converted to ONNX again when next needed. Only the files tl keeps there are removed; others "
                    + "stay.")
    static final class Clean implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            for (Cache cache : caches()) {
                List<Path> files = cache.files();
                long bytes = 0;
                for (Path file : files) {
                    bytes += size(file);
                    try {
                        Files.deleteIfExists(file);
                    } catch (IOException e) {
                        throw new TlException("cannot delete " + file + ": " + e.getMessage(), e);
                    }
                }
                long others = cache.others();
                spec.commandLine().getOut().printf("%s: removed %d files (%s) from %s%s%n", cache.name(),
                        files.size(), megabytes(bytes), cache.directory(), others == 0 ? ""
                                : "; kept " + others + (others == 1 ? " file" : " files") + " tl did not write");
            }
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
