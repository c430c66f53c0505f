package dev.tl;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/** The running tl's version and build profiles, as Maven wrote them into the jar. */
public final class BuildInfo {

    private static final Properties PROPERTIES = read();

    private BuildInfo() {
    }

    /** E.g. "tl 0.1.0". */
    public static String version() {
        return "tl " + PROPERTIES.getProperty("version", "unknown");
    }

    /** The Maven profiles the build was made with ("cpu", "cpu,cuda"): which ND4J backends it holds. */
    public static List<String> profiles() {
        return Arrays.stream(PROPERTIES.getProperty("profiles", "").split(",")).filter(id -> !id.isBlank()).toList();
    }

    private static Properties read() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/tl-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // reported as unknown
        }
        return properties;
    }
}
