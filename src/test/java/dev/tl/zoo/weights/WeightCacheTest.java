package dev.tl.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.tl.SharedFiles;
import dev.tl.TlException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Download, verification and offline behaviour, against a server on the loopback interface. */
class WeightCacheTest {

    private static final byte[] CONTENT = "pretend these are weights".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path home;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/w.h5", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, CONTENT.length);
            exchange.getResponseBody().write(CONTENT);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/w.h5";
    }

    /** Computed here with the JDK directly, not with the code under test. */
    private static String digest(HashAlgorithm algorithm, byte[] bytes) throws Exception {
        String name = algorithm == HashAlgorithm.MD5 ? "MD5" : "SHA-256";
        return HexFormat.of().formatHex(MessageDigest.getInstance(name).digest(bytes));
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void downloadsOnceVerifiesAndThenReusesTheCachedFile(HashAlgorithm algorithm) throws Exception {
        WeightCache cache = new WeightCache(home);
        WeightFile file = new WeightFile(url(), digest(algorithm, CONTENT));

        Path first = cache.fetch(file, "test weights");
        Path second = cache.fetch(file, "test weights");

        assertThat(first).isEqualTo(home.resolve("weights/w.h5")).isEqualTo(second);
        assertThat(Files.readAllBytes(first)).isEqualTo(CONTENT);
        assertThat(requests).hasValue(1);
        assertThat(cache.isCached(file)).isTrue();
    }

    /** The other algorithm's digest of the same content, padded to this one's length, must not pass. */
    @ParameterizedTest
    @CsvSource({"MD5, MD5, SHA-256", "SHA_256, SHA-256, MD5"})
    void rejectsADownloadWithTheWrongHashNamingItsAlgorithmAndCachesNothing(HashAlgorithm algorithm, String named,
                                                                          String notNamed) throws Exception {
        WeightCache cache = new WeightCache(home);
        HashAlgorithm other = algorithm == HashAlgorithm.MD5 ? HashAlgorithm.SHA_256 : HashAlgorithm.MD5;
        String wrong = (digest(other, CONTENT) + "0".repeat(64)).substring(0, digest(algorithm, CONTENT).length());
        WeightFile file = new WeightFile(url(), wrong);

        assertThatThrownBy(() -> cache.fetch(file, "test weights"))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("has " + named + " " + digest(algorithm, CONTENT))
                .hasMessageContaining(wrong + " was expected")
                .hasMessageNotContaining(notNamed)
                .hasMessageContaining(url());
        assertThat(home.resolve("weights")).isEmptyDirectory();
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void replacesACorruptCachedFile(HashAlgorithm algorithm) throws Exception {
        WeightCache cache = new WeightCache(home);
        WeightFile file = new WeightFile(url(), digest(algorithm, CONTENT));
        Files.createDirectories(home.resolve("weights"));
        Files.writeString(home.resolve("weights/w.h5"), "truncated");

        assertThat(cache.isCached(file)).isFalse();
        assertThat(Files.readAllBytes(cache.fetch(file, "test weights"))).isEqualTo(CONTENT);
        assertThat(requests).hasValue(1);
    }

    @Test
    void offlineFailureNamesTheUrlTheCachePathAndTheHash() throws Exception {
        WeightCache cache = new WeightCache(home);
        server.stop(0); // nothing listens on that port any more
        String sha256 = digest(HashAlgorithm.SHA_256, CONTENT);
        WeightFile file = new WeightFile(url(), sha256);

        // what to do instead depends on the command: the CLI adds it (BadInputTest, ReliabilityTest)
        assertThatThrownBy(() -> cache.fetch(file, "ImageNet weights for mobilenet"))
                .isInstanceOf(WeightCache.Unavailable.class)
                .hasMessageContaining("cannot download ImageNet weights for mobilenet")
                .hasMessageContaining(url())
                .hasMessageContaining("Place it at: " + home.resolve("weights/w.h5") + "\n  SHA-256:     " + sha256);
        assertThat(home.resolve("weights/w.h5")).doesNotExist();
    }

    @Test
    void aFileWithoutAPublishedHashIsTakenAsItIs() {
        WeightCache cache = new WeightCache(home);
        WeightFile file = new WeightFile(url(), null);

        assertThat(Files.exists(cache.fetch(file, "test weights"))).isTrue();
        assertThat(file.hashAlgorithm()).isNull();
        assertThat(cache.isCached(file)).isTrue();
    }

    @Test
    void theHashLengthTellsTheAlgorithmAndAnythingElseIsRejected() throws Exception {
        assertThat(new WeightFile(url(), digest(HashAlgorithm.MD5, CONTENT)).hashAlgorithm())
                .isEqualTo(HashAlgorithm.MD5);
        String upper = digest(HashAlgorithm.SHA_256, CONTENT).toUpperCase(java.util.Locale.ROOT);
        WeightFile sha = new WeightFile(url(), upper);
        assertThat(sha.hashAlgorithm()).isEqualTo(HashAlgorithm.SHA_256);
        assertThat(sha.hash()).isEqualTo(digest(HashAlgorithm.SHA_256, CONTENT)); // compared in lower case

        for (String bad : new String[] {"abc", "z".repeat(32), "0".repeat(40)}) {
            assertThatThrownBy(() -> new WeightFile(url(), bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad).hasMessageContaining("MD5").hasMessageContaining("SHA-256");
        }
    }

    @Test
    void digestsAreHexOfTheWholeFile() throws Exception {
        Path f = Files.write(home.resolve("f"), CONTENT);
        assertThat(HashAlgorithm.MD5.hexDigest(f)).isEqualTo(digest(HashAlgorithm.MD5, CONTENT)).hasSize(32);
        assertThat(HashAlgorithm.SHA_256.hexDigest(f)).isEqualTo(digest(HashAlgorithm.SHA_256, CONTENT)).hasSize(64);
        assertThat(WeightCache.md5(f)).isEqualTo(digest(HashAlgorithm.MD5, CONTENT));
    }

    /** Keras' real MobileNet v1 files verify against the SHA-256 table Keras publishes, as cached files would. */
    @ParameterizedTest
    @CsvSource({"mobilenet_2_5_224_tf.h5, 1", "mobilenet_2_5_224_tf_no_top.h5, 2"})
    void theSharedRealWeightFilesMatchKerasSha256Table(String fileName, int column) throws Exception {
        Path real = SharedFiles.require("weights/" + fileName);
        Path table = SharedFiles.require("weights/keras-mobilenet-v1-sha256.txt");
        String published = Files.readAllLines(table).stream()
                .filter(line -> line.startsWith("2_5_224 ")).findFirst().orElseThrow()
                .split(" ")[column];
        WeightFile file = new WeightFile("https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
                + fileName, published);
        WeightCache cache = new WeightCache(home);
        Files.createDirectories(cache.pathFor(file).getParent());
        Files.copy(real, cache.pathFor(file));

        assertThat(file.hashAlgorithm()).isEqualTo(HashAlgorithm.SHA_256);
        assertThat(cache.isCached(file)).as("%s verifies against SHA-256 %s", fileName, published).isTrue();
        assertThat(requests).hasValue(0);
    }
}
