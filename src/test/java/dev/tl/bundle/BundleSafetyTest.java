package dev.tl.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.model.BaseSpec;
import dev.tl.model.FreezePlan;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelGraphs;
import dev.tl.model.ModelSpec;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.learning.config.NoOp;

/** tl replaces only what it wrote, reads a bundle as data, and repairs a save a kill interrupted. */
class BundleSafetyTest {

    private static final ModelSpec SPEC = new ModelSpec(List.of(new BaseSpec("mobilenet", 32)), new HeadSpec(0, 0), 2);
    private static ComputationGraph graph;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() {
        graph = ModelGraphs.full(SPEC, FreezePlan.INFERENCE, new NoOp(), 1);
    }

    private static BundleMetadata metadata(String createdAt) {
        return new BundleMetadata(BundleMetadata.FORMAT_VERSION, "tl test", createdAt, ModelBundle.MODEL_FILE,
                BundleMetadata.inputsOf(SPEC), List.of("a", "b"), new BundleMetadata.Head(0, 0), null, List.of(), null);
    }

    private static void save(Path bundle, String createdAt, boolean keepForeign) {
        ModelBundle.save(bundle, graph, metadata(createdAt), Map.of(), keepForeign);
    }

    @Test
    void aFolderWithAFileCalledTlModelJsonIsNotABundleAndLosesNothing() throws Exception {
        Path project = Files.createDirectories(dir.resolve("proj"));
        Files.writeString(project.resolve("tl-model.json"), "{}");
        Files.createDirectories(project.resolve("src"));
        Files.writeString(project.resolve("src/app.py"), "x");

        assertThatThrownBy(() -> save(project, "new", false)).isInstanceOf(ModelBundle.NotReplaceable.class)
                .hasMessageContaining("not a tl model bundle").hasMessageContaining("src")
                .hasMessageContaining("tl-model.json");
        assertThat(project.resolve("src/app.py")).hasContent("x");

        save(project, "new", true);
        assertThat(ModelBundle.load(project).metadata().createdAt()).isEqualTo("new");
        assertThat(project.resolve("src/app.py")).hasContent("x");
        try (var kept = Files.list(project)) {
            assertThat(kept.map(p -> p.getFileName().toString())).anyMatch(name -> name.startsWith("tl-model.json.kept-"));
        }
    }

    @Test
    void retrainingOverABundleKeepsTheUsersFilesOrRefuses() throws Exception {
        Path bundle = dir.resolve("model");
        save(bundle, "first", false);
        Files.writeString(bundle.resolve("notes.txt"), "mine");

        assertThatThrownBy(() -> save(bundle, "second", false)).isInstanceOf(ModelBundle.NotReplaceable.class)
                .hasMessageContaining("notes.txt");
        assertThat(ModelBundle.load(bundle).metadata().createdAt()).isEqualTo("first");

        save(bundle, "second", true);
        assertThat(ModelBundle.load(bundle).metadata().createdAt()).isEqualTo("second");
        assertThat(bundle.resolve("notes.txt")).hasContent("mine");
        try (var siblings = Files.list(dir)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("model");
        }
    }

    @Test
    void theRootCannotHoldABundle() {
        assertThatThrownBy(() -> ModelBundle.checkTarget(Path.of("/"), true)).isInstanceOf(TlException.class)
                .hasMessageContaining("cannot hold a bundle");
    }

    @Test
    void theModelFileMustBeInsideTheBundle() throws Exception {
        Path bundle = dir.resolve("model");
        save(bundle, "t", false);
        Files.copy(bundle.resolve(ModelBundle.MODEL_FILE), dir.resolve("elsewhere.zip"));
        for (String elsewhere : List.of("../elsewhere.zip", dir.resolve("elsewhere.zip").toString(), "sub/../../x")) {
            rewrite(bundle, metadata -> metadata.put("model_file", elsewhere));
            assertThatThrownBy(() -> ModelBundle.load(bundle)).isInstanceOf(TlException.class)
                    .hasMessageContaining("model_file");
        }
    }

    @Test
    void aModelFileWithAJavaObjectInItIsNotRead() throws Exception {
        Path bundle = dir.resolve("model");
        save(bundle, "t", false);
        Path model = bundle.resolve(ModelBundle.MODEL_FILE);
        Path crafted = dir.resolve("crafted.zip");
        try (var in = new java.util.zip.ZipFile(model.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(crafted))) {
            for (var entry : java.util.Collections.list(in.entries())) {
                out.putNextEntry(new ZipEntry(entry.getName()));
                in.getInputStream(entry).transferTo(out);
            }
            out.putNextEntry(new ZipEntry("preprocessor.bin"));
            writeSerialized(out);
        }
        Files.move(crafted, model, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        long start = System.nanoTime();
        assertThatThrownBy(() -> ModelBundle.load(bundle)).isInstanceOf(TlException.class)
                .hasMessageContaining("preprocessor.bin");
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5);
    }

    @Test
    void metadataThatDisagreesWithTheModelIsRefused() throws Exception {
        Path bundle = dir.resolve("model");
        save(bundle, "t", false);
        rewrite(bundle, metadata -> metadata.putArray("classes").add("a").add("b").add("c"));
        assertThatThrownBy(() -> ModelBundle.load(bundle)).isInstanceOf(TlException.class)
                .hasMessageContaining("3 classes").hasMessageContaining("2 outputs");
        save(bundle, "t", false);
        rewrite(bundle, metadata -> ((ObjectNode) metadata.get("inputs").get(0)).put("image_size", 224));
        assertThatThrownBy(() -> ModelBundle.load(bundle)).isInstanceOf(TlException.class)
                .hasMessageContaining("image_size 224");
    }

    @Test
    void aSaveKilledBetweenItsRenamesIsFinishedByTheNextLoad() throws Exception {
        Path bundle = dir.resolve("model");
        save(bundle, "old", false);
        save(dir.resolve("staged"), "new", false);
        // as a killed save leaves it: the old bundle moved aside, the new one still staged, no bundle in place
        long dead = deadPid();
        Files.move(bundle, dir.resolve(".model.old-" + dead + "-1"));
        Files.move(dir.resolve("staged"), dir.resolve(".model.saving-" + dead + "-2"));

        assertThat(ModelBundle.load(bundle).metadata().createdAt()).isEqualTo("new");
        try (var siblings = Files.list(dir)) {
            assertThat(siblings.map(p -> p.getFileName().toString())).containsExactly("model");
        }
    }

    @Test
    void aBundleMovedAsideByAKilledSaveIsRestored() throws Exception {
        Path bundle = dir.resolve("model");
        save(bundle, "old", false);
        Files.move(bundle, dir.resolve(".model.old-" + deadPid() + "-1"));

        assertThat(ModelBundle.load(bundle).metadata().createdAt()).isEqualTo("old");
    }

    @Test
    void filesAKilledSaveHadCarriedOverGoBack() throws Exception {
        Path bundle = dir.resolve("model");
        save(bundle, "old", false);
        Path staging = Files.createDirectories(dir.resolve(".model.saving-" + deadPid() + "-3"));
        Files.writeString(staging.resolve("notes.txt"), "mine");
        Files.writeString(staging.resolve(ModelBundle.MODEL_FILE), "half written");

        ModelBundle.load(bundle);

        assertThat(bundle.resolve("notes.txt")).hasContent("mine");
        assertThat(staging).doesNotExist();
    }

    @Test
    void aSecondWriterIsRefusedNamingTheFirst() {
        Path bundle = dir.resolve("model");
        try (BundleLock first = BundleLock.acquire(bundle)) {
            assertThatThrownBy(() -> BundleLock.acquire(bundle)).isInstanceOf(TlException.class)
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());
        }
        BundleLock.acquire(bundle).close();
    }

    @Test
    void filesAreAddedOnlyToTheBundleThatWasReadAndOnlyUnderItsLock() {
        Path bundle = dir.resolve("model");
        save(bundle, "first", false);
        ModelBundle.Opened first = ModelBundle.open(bundle);
        java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();

        try (BundleLock training = BundleLock.acquire(bundle)) {
            assertThat(ModelBundle.whileHeld(first, writes::incrementAndGet)).contains("is writing " + bundle);
        }
        save(bundle, "second", false); // a tl train saving there while the first bundle was evaluated
        assertThat(ModelBundle.whileHeld(first, writes::incrementAndGet)).contains("newer bundle was saved");
        assertThat(writes).hasValue(0);

        assertThat(ModelBundle.whileHeld(ModelBundle.open(bundle), writes::incrementAndGet)).isNull();
        assertThat(writes).hasValue(1);
    }

    private static void rewrite(Path bundle, java.util.function.Consumer<ObjectNode> change) throws Exception {
        Path file = bundle.resolve(ModelBundle.METADATA_FILE);
        ObjectNode metadata = (ObjectNode) Json.MAPPER.readTree(file.toFile());
        change.accept(metadata);
        Files.writeString(file, Json.write(metadata));
    }

    private static void writeSerialized(OutputStream out) throws Exception {
        java.io.ObjectOutputStream objects = new java.io.ObjectOutputStream(out);
        objects.writeObject(new java.util.HashMap<>(Map.of("x", "y")));
        objects.flush();
    }

    /** A pid no process has. */
    private static long deadPid() {
        long pid = 4_000_000;
        while (ProcessHandle.of(pid).isPresent()) {
            pid++;
        }
        return pid;
    }
}
