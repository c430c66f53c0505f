package dev.tl.train;

import dev.tl.AtomicFiles;
import dev.tl.TlHome;
import dev.tl.data.ImageViews;
import dev.tl.data.InputSpec;
import dev.tl.data.LabeledImage;
import dev.tl.zoo.weights.WeightCache;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pooled backbone features of image lists, kept on disk so the frozen phase runs the backbone over a dataset once
 * across runs. An entry's key covers everything the features depend on: backbone, the weights' content checksum
 * (or the seed of a random initialisation), input size, preprocessing, layout, tl's version, the views of the
 * images (plain, or one augmented copy: settings, seed and copy), and the ordered list of image files with their
 * sizes and modification times. Any change gives another key, so a stale entry is never
 * read; entries are written aside and renamed into place.
 */
public final class FeatureCache {

    private static final Logger log = LoggerFactory.getLogger(FeatureCache.class);
    private static final int MAGIC = 0x544C4631; // "TLF1"

    private final Path directory;

    public FeatureCache(Path directory) {
        this.directory = directory;
    }

    /** {@code $TL_HOME/features}. */
    public static FeatureCache standard() {
        return new FeatureCache(TlHome.directory().resolve("features"));
    }

    public Path directory() {
        return directory;
    }

    /** What the features of one backbone depend on besides the images; {@code views} is an {@link ImageViews#key()}. */
    public record Source(String backbone, InputSpec input, Optional<Path> weights, long seed, String tlVersion,
                         String views) {
    }

    /** The cached features of {@code images}, or {@code compute}'s, which are then cached. */
    public INDArray features(Source source, List<LabeledImage> images, Supplier<INDArray> compute) {
        Path entry = directory.resolve(key(source, images) + ".features");
        INDArray cached = read(entry, images.size());
        if (cached != null) {
            log.info("{}: features of {} images read from the feature cache", source.backbone(), images.size());
            log.debug("feature cache entry: {}", entry);
            return cached;
        }
        INDArray computed = compute.get();
        write(entry, computed);
        return computed;
    }

    String key(Source source, List<LabeledImage> images) {
        MessageDigest digest = sha256();
        update(digest, "tl-features-v1", source.tlVersion(), source.backbone(),
                Integer.toString(source.input().imageSize()), source.input().preprocessing().id(),
                source.input().layout().name(),
                source.weights().map(WeightCache::md5).orElse("random-init:" + source.seed()), source.views());
        for (LabeledImage image : images) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(image.path(), BasicFileAttributes.class);
                update(digest, image.path().toAbsolutePath().normalize().toString(),
                        Long.toString(attributes.size()), Long.toString(attributes.lastModifiedTime().toMillis()));
            } catch (IOException e) {
                update(digest, image.path().toString(), "unreadable"); // decoding will report it
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static INDArray read(Path entry, int rows) {
        if (!Files.isRegularFile(entry)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(entry)))) {
            if (in.readInt() != MAGIC || in.readInt() != rows) {
                return null;
            }
            int columns = in.readInt();
            byte[] bytes = new byte[rows * columns * 4];
            in.readFully(bytes);
            float[] values = new float[rows * columns];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return Nd4j.create(values, new long[] {rows, columns}, 'c');
        } catch (IOException e) {
            log.warn("ignoring unreadable feature cache entry {}: {}", entry, e.getMessage());
            return null;
        }
    }

    private void write(Path entry, INDArray features) {
        float[] values = features.dup('c').data().asFloat();
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        try {
            AtomicFiles.write(entry, stream -> {
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(stream));
                out.writeInt(MAGIC);
                out.writeInt((int) features.size(0));
                out.writeInt((int) features.size(1));
                out.write(bytes.array());
                out.flush();
            });
        } catch (IOException e) {
            log.warn("could not cache features at {} ({}); they will be computed again next time", entry,
                    e.getMessage());
        }
    }

    private static void update(MessageDigest digest, String... parts) {
        for (String part : parts) {
            digest.update(part.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
