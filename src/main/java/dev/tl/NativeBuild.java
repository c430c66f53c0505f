package dev.tl;

import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;
import org.nd4j.linalg.factory.Nd4j;

/** Which ND4J native build is running (e.g. linux-x86_64-onednn-avx512): the first thing to check about speed. */
public final class NativeBuild {

    private NativeBuild() {
    }

    public static String name() {
        Nd4j.getBackend(); // loads the natives
        String library = Loader.getLoadedLibraries().get("jnind4jcpu");
        return library == null ? "unknown" : Path.of(library).getParent().getFileName().toString();
    }
}
