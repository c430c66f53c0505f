package dev.tl;

import java.nio.file.Path;

/** Where tl keeps downloaded weights and cached features: {@code $TL_HOME}, default {@code ~/.tl}. */
public final class TlHome {

    private TlHome() {
    }

    public static Path directory() {
        String override = System.getProperty("tl.home", System.getenv("TL_HOME"));
        return override != null && !override.isBlank() ? Path.of(override)
                : Path.of(System.getProperty("user.home"), ".tl");
    }
}
