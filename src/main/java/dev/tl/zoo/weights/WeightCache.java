package dev.tl.zoo.weights;

import dev.tl.TlException;
import dev.tl.TlHome;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads published weight files once into {@code $TL_HOME/weights} (default {@code ~/.tl/weights}), verifies
 * them against their published hash (MD5 or SHA-256, each in its own algorithm) where there is one, and reuses the
 * cached copy offline. A download is written beside the cache entry and renamed into place only after it verified,
 * so an interrupted download never poisons the cache.
 */
public final class WeightCache {

    private static final Logger log = LoggerFactory.getLogger(WeightCache.class);

    private final Path directory;
    /** Made for the first download: building it sets up TLS, a second of a short command's start-up. */
    private HttpClient http;

    public WeightCache(Path home) {
        this.directory = home.resolve("weights");
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(15))
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
        }
        return http;
    }

    /** Under {@code $TL_HOME}, else {@code ~/.tl}. */
    public static WeightCache standard() {
        return new WeightCache(TlHome.directory());
    }

    /** Where the weight files are kept. */
    public Path directory() {
        return directory;
    }

    public Path pathFor(WeightFile file) {
        return directory.resolve(file.fileName());
    }

    /**
     * The cache's own files among {@code published}: each published file under its own name (downloaded by tl, or
     * placed there for it as the offline message says) and an unfinished download of one. Nothing else in the
     * directory is the cache's.
     */
    public List<Path> ownFiles(Collection<WeightFile> published) {
        return published.stream().map(this::pathFor)
                .flatMap(file -> Stream.of(file, partial(file))).distinct().filter(Files::isRegularFile).sorted()
                .toList();
    }

    private static Path partial(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /** True when the file is cached and (where a hash is published) verified. */
    public boolean isCached(WeightFile file) {
        Path path = pathFor(file);
        return Files.isRegularFile(path) && verifies(file, path);
    }

    /** The cached file, downloading it first if needed. */
    public Path fetch(WeightFile file, String what) {
        Path target = pathFor(file);
        if (Files.isRegularFile(target)) {
            if (verifies(file, target)) {
                return target;
            }
            log.warn("cached {} fails its {} check; downloading it again", target, file.hashAlgorithm());
        }
        download(file, target, what);
        return target;
    }

    private void download(WeightFile file, Path target, String what) {
        Path partial = partial(target);
        try {
            Files.createDirectories(directory);
            log.info("downloading {} ({})", what, target.getFileName());
            log.debug("from {}", file.url());
            HttpRequest request = HttpRequest.newBuilder(URI.create(file.url())).GET().build();
            HttpResponse<InputStream> response = http().send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("HTTP " + response.statusCode());
            }
            try (InputStream body = response.body()) {
                Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(partial);
            throw unavailable(file, target, what, describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleteQuietly(partial);
            throw unavailable(file, target, what, "interrupted");
        }
        if (file.hash() != null) {
            String actual = file.hashAlgorithm().hexDigest(partial);
            if (!file.hash().equals(actual)) {
                deleteQuietly(partial);
                throw new TlException("downloaded " + what + " from " + file.url() + " has " + file.hashAlgorithm()
                        + " " + actual + " but " + file.hash() + " was expected; the file was discarded");
            }
        }
        try {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new TlException("cannot store " + what + " at " + target + ": " + e.getMessage(), e);
        }
        log.info("cached {} at {}", what, target);
    }

    private static TlException unavailable(WeightFile file, Path target, String what, String reason) {
        return new Unavailable("cannot download " + what + "\n"
                + "  (" + reason + ")\n"
                + "  URL:         " + file.url() + "\n"
                + "  Place it at: " + target
                + (file.hash() == null ? "" : "\n  " + file.hashAlgorithm() + ":" + " ".repeat(12
                        - file.hashAlgorithm().toString().length()) + file.hash()));
    }

    /** Weights that are neither cached nor downloadable; what to do instead depends on the command. */
    public static final class Unavailable extends TlException {
        Unavailable(String message) {
            super(message);
        }
    }

    /** "ConnectException: null" says little; name every exception in the chain with its message, if any. */
    private static String describe(Throwable e) {
        StringBuilder reason = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (reason.length() > 0) {
                reason.append(" <- ");
            }
            reason.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                reason.append(": ").append(t.getMessage());
            }
        }
        return reason.toString();
    }

    /** True where no hash is published, else whether {@code path} has it, in the hash's own algorithm. */
    private static boolean verifies(WeightFile file, Path path) {
        return file.hash() == null || file.hash().equals(file.hashAlgorithm().hexDigest(path));
    }

    /** The MD5 of any weight file, published hash or not: what the feature cache keys features by. */
    public static String md5(Path path) {
        return HashAlgorithm.MD5.hexDigest(path);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // best effort: a stale .part file is overwritten by the next download
        }
    }
}
