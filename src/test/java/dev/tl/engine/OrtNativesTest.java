package dev.tl.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtNativesTest {

    @TempDir
    Path home;

    @Test
    void unpacksOnceWholeAndReusesTheCopy() throws Exception {
        Path directory = OrtNatives.unpacked(home);

        assertThat(directory).isNotNull().isDirectory();
        Path library = directory.resolve(System.mapLibraryName("onnxruntime"));
        assertThat(library).isRegularFile();
        assertThat(directory.resolve(System.mapLibraryName("onnxruntime4j_jni"))).isRegularFile();
        long size = Files.size(library);
        try (var in = OrtNatives.class.getResourceAsStream("/ai/onnxruntime/native/linux-x64/"
                + System.mapLibraryName("onnxruntime"))) {
            assertThat(size).isEqualTo(in.readAllBytes().length);
        }

        var modified = Files.getLastModifiedTime(library);
        assertThat(OrtNatives.unpacked(home)).isEqualTo(directory);
        assertThat(Files.getLastModifiedTime(library)).isEqualTo(modified);
        try (var entries = Files.list(home)) {
            assertThat(entries).containsExactly(directory); // no staging copies left behind
        }
    }

    @Test
    void aCleanedCopyIsUnpackedAgain() throws Exception {
        Path directory = OrtNatives.unpacked(home);
        for (Path file : OrtNatives.ownFiles(home)) {
            Files.delete(file); // what tl cache clean does: the directory stays, empty
        }

        assertThat(OrtNatives.unpacked(home)).isEqualTo(directory);
        assertThat(OrtNatives.ownFiles(home)).hasSize(2);
    }

    @Test
    void aCopyMissingOneLibraryIsNeverHandedToOnnxRuntime() throws Exception {
        Path directory = OrtNatives.unpacked(home);
        Files.delete(directory.resolve(System.mapLibraryName("onnxruntime"))); // the other library stays

        assertThatThrownBy(() -> OrtNatives.unpacked(home)).isInstanceOf(IOException.class);
        try (var entries = Files.list(home)) {
            assertThat(entries).containsExactly(directory); // the attempt's own copy is removed
        }
    }

    @Test
    void processesUnpackingAtOnceAllGetTheSameWholeCopy() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                results.add(pool.submit((Callable<Path>) () -> OrtNatives.unpacked(home)));
            }
            Path first = results.get(0).get();
            for (Future<Path> result : results) {
                assertThat(result.get()).isEqualTo(first);
            }
            try (var entries = Files.list(home)) {
                assertThat(entries).containsExactly(first);
            }
            try (var libraries = Files.list(first)) {
                assertThat(libraries).hasSize(2);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
