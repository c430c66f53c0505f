package dev.tl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.tl.CraftedFiles;
import dev.tl.TestData;
import dev.tl.bundle.BundleMetadata;
import dev.tl.bundle.ModelBundle;
import dev.tl.data.LabelledImage;
import dev.tl.zoo.layers.FrozenBatchNormalization;
import dev.tl.zoo.layers.NativeConvolution;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.slf4j.LoggerFactory;

/**
 * Seeded byte mutations of a bundle ({@code tl-model.json}, {@code model.zip}) and of JPEG, PNG and GIF files, run
 * through tl's commands: every run ends in exit 0 or 2 (a message naming the file), never an internal error or a
 * JVM crash, and memory stays bounded. The bundle is a small graph of tl's own layers, so that a run costs little
 * more than reading the mutant. A failure names the seed. {@code -Dtl.fuzz.mutants=N} runs N of each instead of 200.
 */
class FuzzTest {

    private static final int MUTANTS = Integer.getInteger("tl.fuzz.mutants", 200);
    /** Images of one format per run of predict: they are decoded together, a failing one does not stop the others. */
    private static final int IMAGES_PER_RUN = 10;
    private static final long MEMORY_BOUND = 1L << 30;

    @TempDir
    static Path work;
    static Path bundle;
    static Path image;

    /** The mutants' thousands of skipped-file warnings stay out of the build's log. */
    private static Level level;

    @BeforeAll
    static void quiet() {
        level = tl().getLevel();
        tl().setLevel(Level.ERROR);
    }

    @AfterAll
    static void loud() {
        tl().setLevel(level);
    }

    private static Logger tl() {
        return (Logger) LoggerFactory.getLogger("dev.tl");
    }

    @BeforeAll
    static void bundle() throws Exception {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(1).updater(new NoOp())
                .graphBuilder().addInputs("input")
                .addLayer("conv", new NativeConvolution(new ConvolutionLayer.Builder(3, 3).nIn(3).nOut(4).stride(2, 2)
                        .hasBias(false).dataFormat(CNN2DFormat.NHWC).activation(Activation.IDENTITY)), "input")
                .addLayer("bn", new FrozenBatchNormalization("bn", 4, 1e-3, CNN2DFormat.NHWC), "conv")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "bn")
                .addLayer("output", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("output").setInputTypes(InputType.convolutional(32, 32, 3, CNN2DFormat.NHWC)).build());
        graph.init();
        bundle = work.resolve("bundle");
        ModelBundle.save(bundle, graph, new BundleMetadata(BundleMetadata.FORMAT_VERSION, "tl test", "now",
                ModelBundle.MODEL_FILE, List.of(new BundleMetadata.Input("mobilenet_0.25", 32, "tf", "NHWC",
                "crop:1.0")), List.of("horizontal", "vertical"), new BundleMetadata.Head(0, 0.2), null, List.of(),
                null), Map.of(), false);
        // the same bytes in every run, so that a seed names one mutant
        CraftedFiles.rewriteEntry(bundle.resolve(ModelBundle.MODEL_FILE), "", UnaryOperator.identity());
        image = sample(".jpg");
    }

    @Test
    void mutatedBundlesLoadOrAreRefused() throws Exception {
        byte[] metadata = Files.readAllBytes(bundle.resolve(ModelBundle.METADATA_FILE));
        byte[] model = Files.readAllBytes(bundle.resolve(ModelBundle.MODEL_FILE));
        List<String> entries = List.of("coefficients.bin", "configuration.json", "tl-input-sizes.json");
        fuzzBundles("tl-model.json", (copy, random) ->
                Files.write(copy.resolve(ModelBundle.METADATA_FILE), mutate(metadata, random)));
        fuzzBundles("model.zip", (copy, random) -> {
            Path zip = copy.resolve(ModelBundle.MODEL_FILE);
            if (random.nextBoolean()) {
                Files.write(zip, mutate(model, random)); // the zip itself: its structure, its deflated streams
            } else {
                CraftedFiles.rewriteEntry(zip, entries.get(random.nextInt(entries.size())),
                        bytes -> mutate(bytes, random)); // what it holds
            }
        });
    }

    @Test
    void mutatedImagesAreUsedSkippedOrRefused() throws Exception {
        fuzzImages("jpg", Files.readAllBytes(image), Function.identity());
        fuzzImages("png", Files.readAllBytes(sample(".png")), FuzzTest::withValidCrcs);
        ByteArrayOutputStream gif = new ByteArrayOutputStream();
        ImageIO.write(ImageIO.read(sample(".png").toFile()), "gif", gif);
        fuzzImages("gif", gif.toByteArray(), Function.identity());
    }

    /** Changes a copy of the bundle. */
    private interface Change {
        void apply(Path copy, Random random) throws Exception;
    }

    /** Each mutant bundle is reported on and, where it loads, predicts. */
    private static void fuzzBundles(String what, Change change) throws Exception {
        Outcomes outcomes = new Outcomes(what);
        for (int i = 0; i < MUTANTS; i++) {
            long seed = what.hashCode() * 1000L + i;
            Path copy = CraftedFiles.copyTree(bundle, work.resolve("mutant-" + seed));
            change.apply(copy, new Random(seed));
            String mutant = what + " mutant of seed " + seed;
            int reported = outcomes.check(mutant, CliRunner.run("report", "--model-dir", copy.toString(), "--out",
                    work.resolve("report-" + seed + ".html").toString()));
            if (reported == 0) {
                outcomes.check(mutant, CliRunner.run("predict", "--model-dir", copy.toString(), image.toString()));
            }
            CraftedFiles.deleteTree(copy);
        }
        outcomes.log();
    }

    /** Mutants of one image, {@value #IMAGES_PER_RUN} to a run of predict; {@code fix} undoes what a format checks. */
    private static void fuzzImages(String format, byte[] original, Function<byte[], byte[]> fix) throws Exception {
        Outcomes outcomes = new Outcomes(format);
        for (int run = 0; run < MUTANTS / IMAGES_PER_RUN; run++) {
            Path dir = Files.createDirectories(work.resolve(format + "-" + run));
            for (int i = 0; i < IMAGES_PER_RUN; i++) {
                long seed = format.hashCode() * 1000L + run * IMAGES_PER_RUN + i;
                Random random = new Random(seed);
                byte[] mutant = mutate(original, random);
                Files.write(dir.resolve(seed + "." + format), random.nextBoolean() ? fix.apply(mutant) : mutant);
            }
            outcomes.check(format + " mutants in " + dir, CliRunner.run("predict", "--model-dir", bundle.toString(),
                    dir.toString()));
            CraftedFiles.deleteTree(dir);
        }
        outcomes.log();
    }

    /** The exit codes of the runs, each checked as it ends. */
    private static final class Outcomes {
        private final String what;
        private final long memoryAtStart = Pointer.physicalBytes();
        private final Map<Integer, Integer> counts = new TreeMap<>();

        Outcomes(String what) {
            this.what = what;
        }

        int check(String mutant, CliRunner.Result result) {
            assertThat(result.exitCode()).as(mutant + ": " + result.err()).isIn(0, 2);
            assertThat(result.err()).as(mutant).doesNotContain("internal error", "\tat ");
            assertThat(Pointer.physicalBytes() - memoryAtStart).as(mutant + ": memory").isLessThan(MEMORY_BOUND);
            counts.merge(result.exitCode(), 1, Integer::sum);
            return result.exitCode();
        }

        void log() {
            System.out.println("fuzz " + what + ": runs by exit code " + counts);
        }
    }

    /** One to four bytes changed (set, flipped, zeroed, maxed), or the file cut short. */
    private static byte[] mutate(byte[] bytes, Random random) {
        if (random.nextInt(10) == 0) {
            return Arrays.copyOf(bytes, random.nextInt(bytes.length));
        }
        byte[] mutated = bytes.clone();
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            int at = random.nextInt(mutated.length);
            mutated[at] = switch (random.nextInt(4)) {
                case 0 -> (byte) random.nextInt(256);
                case 1 -> (byte) (mutated[at] ^ (1 << random.nextInt(8)));
                case 2 -> 0;
                default -> (byte) 0xFF;
            };
        }
        return mutated;
    }

    /** A PNG's chunks with their checksums recomputed, so that a decoder reads the mutated data itself. */
    private static byte[] withValidCrcs(byte[] png) {
        ByteBuffer buffer = ByteBuffer.wrap(png.clone());
        for (int at = 8; at + 12 <= png.length; ) {
            long length = buffer.getInt(at) & 0xFFFFFFFFL;
            if (at + 12 + length > png.length) {
                break;
            }
            CRC32 crc = new CRC32();
            crc.update(png, at + 4, 4 + (int) length);
            buffer.putInt(at + 8 + (int) length, (int) crc.getValue());
            at += 12 + (int) length;
        }
        return buffer.array();
    }

    private static Path sample(String extension) {
        return TestData.subset(TestData.VAL, 20).images().stream().map(LabelledImage::path)
                .filter(path -> path.toString().endsWith(extension)).findFirst().orElseThrow();
    }
}
