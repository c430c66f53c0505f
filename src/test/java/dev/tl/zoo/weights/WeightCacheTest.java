package dev.tl.zoo.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.tl.TlException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    private static String md5Of(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes));
    }

    @Test
    void downloadsOnceVerifiesAndThenReusesTheCachedFile() throws Exception {
        WeightCache cache = new WeightCache(home);
        WeightFile file = new WeightFile(url(), md5Of(CONTENT));

        Path first = cache.fetch(file, "test weights");
        Path second = cache.fetch(file, "test weights");

        assertThat(first).isEqualTo(home.resolve("weights/w.h5")).isEqualTo(second);
        assertThat(Files.readAllBytes(first)).isEqualTo(CONTENT);
        assertThat(requests).hasValue(1);
        assertThat(cache.isCached(file)).isTrue();
    }

    @Test
    void rejectsADownloadWithTheWrongChecksumAndCachesNothing() {
        WeightCache cache = new WeightCache(home);
        WeightFile file = new WeightFile(url(), "00000000000000000000000000000000");

        assertThatThrownBy(() -> cache.fetch(file, "test weights"))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("MD5")
                .hasMessageContaining(url());
        assertThat(home.resolve("weights")).isEmptyDirectory();
    }

    @Test
    void replacesACorruptCachedFile() throws Exception {
        WeightCache cache = new WeightCache(home);
        WeightFile file = new WeightFile(url(), md5Of(CONTENT));
        Files.createDirectories(home.resolve("weights"));
        Files.writeString(home.resolve("weights/w.h5"), "truncated");

        assertThat(cache.isCached(file)).isFalse();
        assertThat(Files.readAllBytes(cache.fetch(file, "test weights"))).isEqualTo(CONTENT);
        assertThat(requests).hasValue(1);
    }

    @Test
    void offlineFailureNamesTheUrlTheCachePathAndTheWayOut() {
        WeightCache cache = new WeightCache(home);
        server.stop(0); // nothing listens on that port any more
        WeightFile file = new WeightFile(url(), null);

        assertThatThrownBy(() -> cache.fetch(file, "ImageNet weights for mobilenet"))
                .isInstanceOf(TlException.class)
                .hasMessageContaining("cannot download ImageNet weights for mobilenet")
                .hasMessageContaining(url())
                .hasMessageContaining(home.resolve("weights/w.h5").toString())
                .hasMessageContaining("--weights none");
        assertThat(home.resolve("weights/w.h5")).doesNotExist();
    }

    @Test
    void md5IsHexOfTheWholeFile() throws Exception {
        Path f = home.resolve("f");
        Files.write(f, CONTENT);
        assertThat(WeightCache.md5(f)).isEqualTo(md5Of(CONTENT)).hasSize(32);
    }
}
