package dev.tl.engine;

import dev.tl.TlHome;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's native libraries, unpacked once into {@code $TL_HOME/natives} and loaded from there. Left to
 * itself ONNX Runtime copies its 22 MB library out of the jar into a fresh temporary directory in every process,
 * about 0.15 s of each short command (docs/BENCHMARKS.md). The directory is named after the libraries' checksums as
 * the jar records them, so another ONNX Runtime gets its own; it is written under a temporary name and renamed into
 * place whole, so a process never loads a half-written copy. Where none of this works (a read-only home, libraries
 * not in a jar) ONNX Runtime extracts them as before. An {@code onnxruntime.native.path} set by the user is kept.
 * {@code tl cache} lists them and {@code tl cache clean} removes them with the other caches.
 */
public final class OrtNatives {

    private static final Logger log = LoggerFactory.getLogger(OrtNatives.class);

    /** ONNX Runtime's property: a directory holding the libraries it would otherwise extract. */
    private static final String NATIVE_PATH = "onnxruntime.native.path";
    /** The libraries ONNX Runtime loads from that directory (its shared providers it still extracts itself). */
    private static final List<String> LIBRARIES = List.of("onnxruntime", "onnxruntime4j_jni");

    private OrtNatives() {
    }

    /** {@code $TL_HOME/natives}. */
    public static Path directory() {
        return TlHome.directory().resolve("natives");
    }

    /**
     * The library files unpacked under {@code root}, whatever ONNX Runtime they came from, copies a killed run left
     * half-written included.
     */
    public static List<Path> ownFiles(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path unpacked : entries.filter(Files::isDirectory)
                    .filter(d -> d.getFileName().toString().startsWith("onnxruntime-")).sorted().toList()) {
                for (String library : LIBRARIES) {
                    Path file = unpacked.resolve(System.mapLibraryName(library));
                    if (Files.isRegularFile(file)) {
                        files.add(file);
                    }
                }
            }
        }
        return files;
    }

    /** Points ONNX Runtime at the unpacked libraries, unpacking them first if this is the first run; idempotent. */
    static synchronized void prepare() {
        if (System.getProperty(NATIVE_PATH) != null) {
            return;
        }
        try {
            Path directory = unpacked(directory());
            if (directory != null) {
                System.setProperty(NATIVE_PATH, directory.toString());
            }
        } catch (IOException | RuntimeException e) {
            log.debug("ONNX Runtime's libraries stay in its jar ({}): it extracts them itself", e.toString());
        }
    }

    /** The directory holding this jar's libraries, unpacked into {@code root} if not yet; null if not in a jar. */
    static Path unpacked(Path root) throws IOException {
        StringBuilder name = new StringBuilder("onnxruntime");
        List<URL> resources = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        for (String library : LIBRARIES) {
            URL resource = OrtNatives.class.getResource(resourcePath(library));
            if (resource == null) {
                return null;
            }
            URLConnection connection = resource.openConnection();
            if (!(connection instanceof JarURLConnection jar)) {
                return null;
            }
            JarEntry entry = jar.getJarEntry();
            name.append('-').append(Long.toHexString(entry.getCrc())).append(Long.toHexString(entry.getSize()));
            resources.add(resource);
            sizes.add(entry.getSize());
        }
        Path directory = root.resolve(name.toString());
        if (whole(directory, sizes)) {
            return directory;
        }
        Files.createDirectories(root);
        Path staging = Files.createTempDirectory(root, name + ".");
        try {
            for (int i = 0; i < LIBRARIES.size(); i++) {
                try (InputStream in = resources.get(i).openStream()) {
                    Files.copy(in, staging.resolve(System.mapLibraryName(LIBRARIES.get(i))));
                }
            }
            try {
                Files.move(staging, directory, StandardCopyOption.ATOMIC_MOVE);
                log.debug("unpacked ONNX Runtime's libraries into {}", directory);
            } catch (IOException e) {
                if (!whole(directory, sizes)) {
                    throw e; // a copy missing a library is in the way: ONNX Runtime extracts its own
                }
                // another process put the same libraries there first
            }
        } finally {
            if (Files.exists(staging)) {
                deleteTree(staging);
            }
        }
        return directory;
    }

    /** Whether every library is in {@code directory} at its size (a cleaned cache leaves the directory empty). */
    private static boolean whole(Path directory, List<Long> sizes) throws IOException {
        for (int i = 0; i < LIBRARIES.size(); i++) {
            Path file = directory.resolve(System.mapLibraryName(LIBRARIES.get(i)));
            if (!Files.isRegularFile(file) || Files.size(file) != sizes.get(i)) {
                return false;
            }
        }
        return true;
    }

    private static String resourcePath(String library) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String platform = (os.contains("mac") ? "osx" : os.contains("win") ? "win" : "linux") + "-"
                + (arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch);
        return "/ai/onnxruntime/native/" + platform + "/"
                + System.mapLibraryName(library).replace("jnilib", "dylib");
    }

    private static void deleteTree(Path path) throws IOException {
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
