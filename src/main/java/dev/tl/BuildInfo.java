package dev.tl;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The running tl's version, as Maven wrote it into the jar, e.g. "tl 0.1.0". */
public final class BuildInfo {

    private static final String VERSION = read();

    private BuildInfo() {
    }

    public static String version() {
        return VERSION;
    }

    private static String read() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/tl-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // reported as unknown
        }
        return "tl " + properties.getProperty("version", "unknown");
    }
}
