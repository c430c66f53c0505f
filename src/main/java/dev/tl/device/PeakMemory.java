package dev.tl.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** This process's peak resident set size (Linux VmHWM): Java heap, ND4J's off-heap tensors and native libraries. */
public final class PeakMemory {

    private PeakMemory() {
    }

    /** Bytes, or empty where /proc is not available. */
    public static OptionalLong residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("\\D", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
