package dev.tl.device;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The application's class loader, except that ND4J's service lookup for backends does not see the file that
 * declares one of them. ND4J reads its backend priorities from the environment once, so a running JVM cannot
 * otherwise make it skip the CUDA backend of a build that has both.
 */
final class BackendHidingClassLoader extends ClassLoader {

    static final String BACKEND_SERVICES = "META-INF/services/org.nd4j.linalg.factory.Nd4jBackend";

    private final String hiddenBackend;

    BackendHidingClassLoader(ClassLoader parent, String hiddenBackend) {
        super(parent);
        this.hiddenBackend = hiddenBackend;
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        Enumeration<URL> resources = super.getResources(name);
        if (!name.equals(BACKEND_SERVICES)) {
            return resources;
        }
        List<URL> kept = Collections.list(resources).stream().filter(url -> !declaresHidden(url)).toList();
        return Collections.enumeration(kept);
    }

    private boolean declaresHidden(URL services) {
        try (InputStream in = services.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .anyMatch(hiddenBackend::equals);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + services, e);
        }
    }
}
