package dev.tl.features;

import dev.tl.AtomicFiles;
import dev.tl.Digests;
import dev.tl.TlHome;
import dev.tl.data.InputSpec;
import dev.tl.data.LabelledImage;
import dev.tl.engine.OnnxModelCache;
import dev.tl.zoo.weights.WeightCache;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pooled backbone features of image lists, kept on disk so the frozen phase runs the backbone over a dataset once
 * across runs. A list is cached in chunks of about {@value #CHUNK} images (whole batches), each written as soon as
 * it is computed, so an interrupted feature pass continues where it stopped. A chunk's key covers everything its
 * features depend on: backbone, the weights' content checksum (or the seed of a random initialisation), input size,
 * preprocessing, layout, tl's version, the inference engine that computes them, the views of the images (plain, or
 * one augmented copy: settings, seed and copy), the chunk's position, and its image files by path and content
 * ({@link FileFingerprints}). Any change gives another
 * key, so a stale entry is never read. Each entry carries a checksum of its numbers: a damaged entry is reported,
 * deleted and computed again. Entries are written aside and renamed into place; a temporary file older than
 * {@value #STALE_HOURS} hours is a killed writer's and is removed.
 */
public final class FeatureCache implements FeatureStore {

    private static final Logger log = LoggerFactory.getLogger(FeatureCache.class);
    private static final int MAGIC = 0x544C4632; // "TLF2"
    static final int CHUNK = 1024;
    private static final int STALE_HOURS = 1;

    private final Path directory;
    private final int chunkImages;
    private final OnnxModelCache models;
    private FileFingerprints fingerprints;

    /** A cache in {@code directory}, the backbones' ONNX models in its {@code onnx} directory. */
    public FeatureCache(Path directory) {
        this(directory, CHUNK);
    }

    /** @param chunkImages about how many images one entry holds */
    FeatureCache(Path directory, int chunkImages) {
        this(directory, chunkImages, new OnnxModelCache(directory.resolve("onnx")));
    }

    private FeatureCache(Path directory, int chunkImages, OnnxModelCache models) {
        this.directory = directory;
        this.chunkImages = chunkImages;
        this.models = models;
    }

    /** {@code $TL_HOME/features}, with {@link OnnxModelCache#standard()}. */
    public static FeatureCache standard() {
        return new FeatureCache(TlHome.directory().resolve("features"), CHUNK, OnnxModelCache.standard());
    }

    /** Where the entries are kept. */
    public Path directory() {
        return directory;
    }

    /** What tl writes into the directory: entries and the fingerprint index. */
    private static final String ENTRY = "[0-9a-f]{64}\\.features|" + Pattern.quote(FileFingerprints.INDEX);

    /** The files in the directory that tl wrote (anything else there is not the cache's, and stays). */
    public List<Path> ownFiles() throws IOException {
        return AtomicFiles.filesNamed(directory, ENTRY);
    }

    /** Where the backbones computing the features keep their ONNX models, for runs that use this cache. */
    public OnnxModelCache onnxModels() {
        return models;
    }

    /**
     * The features of {@code images}, one row each: from the cache where it has them, else computed and cached,
     * in chunks of whole batches of {@code batchSize}, so the batches are those of a pass over the whole list.
     */
    @Override
    public INDArray features(Source source, List<LabelledImage> images, int batchSize, Computation compute) {
        int chunkSize = Math.max(1, chunkImages / batchSize) * batchSize;
        List<INDArray> parts = new ArrayList<>();
        int cached = 0;
        try {
            for (int from = 0; from < images.size(); from += chunkSize) {
                List<LabelledImage> chunk = images.subList(from, Math.min(from + chunkSize, images.size()));
                Path entry = directory.resolve(key(source, from, chunk) + ".features");
                INDArray features = read(entry, chunk.size());
                if (features == null) {
                    features = compute.compute(from, chunk);
                    write(entry, features);
                } else {
                    cached += chunk.size();
                }
                parts.add(features);
            }
        } finally {
            fingerprints().save();
        }
        if (cached > 0) {
            log.info("{}: features of {} of {} images read from the cache in {}", source.backbone(), cached,
                    images.size(), directory);
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.vstack(parts.toArray(INDArray[]::new));
    }

    public String key(Source source, int from, List<LabelledImage> chunk) {
        List<String> parts = new ArrayList<>(List.of("tl-features-v2", source.tlVersion(), source.backbone(),
                Integer.toString(source.input().imageSize()), source.input().preprocessing().id(),
                source.input().layout().name(), source.input().framing().id(),
                source.weights().map(WeightCache::md5).orElse("random-init:" + source.seed()), source.views(),
                "engine:" + source.engine().get(), "from:" + from));
        for (LabelledImage image : chunk) {
            parts.add(image.path().toAbsolutePath().normalize().toString());
            parts.add(fingerprints().of(image.path()));
        }
        return Digests.sha256(parts);
    }

    /** The fingerprints of the images, loaded (and the killed writers' temporary files removed) on first use. */
    private FileFingerprints fingerprints() {
        if (fingerprints == null) {
            removeStaleTemporaries();
            fingerprints = new FileFingerprints(directory);
        }
        return fingerprints;
    }

    /** The entry's features; null where there is none, or it is damaged (then it is deleted, with a warning). */
    private static INDArray read(Path entry, int rows) {
        if (!Files.isRegularFile(entry)) {
            return null;
        }
        String damage;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(entry)))) {
            int magic = in.readInt();
            int storedRows = in.readInt();
            int columns = in.readInt();
            long checksum = in.readLong();
            long expected = 20L + 4L * rows * columns;
            if (magic != MAGIC || storedRows != rows || columns < 1 || Files.size(entry) != expected) {
                damage = "its header does not match its size";
            } else {
                byte[] bytes = new byte[rows * columns * 4];
                in.readFully(bytes);
                CRC32C crc = new CRC32C();
                crc.update(bytes);
                if (crc.getValue() == checksum) {
                    float[] values = new float[rows * columns];
                    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                    return Nd4j.create(values, new long[] {rows, columns}, 'c');
                }
                damage = "its numbers fail their checksum";
            }
        } catch (IOException e) {
            damage = "it cannot be read (" + e.getMessage() + ")";
        }
        log.warn("damaged feature cache entry {} ({}): computing its features again", entry, damage);
        try {
            Files.deleteIfExists(entry);
        } catch (IOException e) {
            log.warn("could not delete {}: {}", entry, e.getMessage());
        }
        return null;
    }

    private void write(Path entry, INDArray features) {
        float[] values = features.dup('c').data().asFloat();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        CRC32C crc = new CRC32C();
        crc.update(bytes.array());
        try {
            AtomicFiles.write(entry, stream -> {
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(stream));
                out.writeInt(MAGIC);
                out.writeInt((int) features.size(0));
                out.writeInt((int) features.size(1));
                out.writeLong(crc.getValue());
                out.write(bytes.array());
                out.flush();
            });
        } catch (IOException e) {
            log.warn("could not cache features at {} ({}); they will be computed again next time", entry,
                    e.getMessage());
        }
    }

    /** Temporary files no writer has touched for a while were left by a killed one. */
    private void removeStaleTemporaries() {
        if (!Files.isDirectory(directory)) {
            return;
        }
        FileTime before = FileTime.from(Instant.now().minus(Duration.ofHours(STALE_HOURS)));
        try (DirectoryStream<Path> temporaries = Files.newDirectoryStream(directory, ".*.tmp")) {
            for (Path temporary : temporaries) {
                if (Files.getLastModifiedTime(temporary).compareTo(before) < 0) {
                    Files.deleteIfExists(temporary);
                }
            }
        } catch (IOException e) {
            log.debug("could not clean {}: {}", directory, e.getMessage());
        }
    }
}
