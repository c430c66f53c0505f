package dev.tl.export;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What ONNX Runtime warns about while it loads and fully optimises models. Its native logger writes straight to
 * the process's stderr, out of Java's reach, so the models are loaded in a child JVM whose stderr is read.
 */
public final class OnnxRuntimeWarnings {

    private OnnxRuntimeWarnings() {
    }

    /** The warning and error lines ONNX Runtime logs for {@code files}. */
    public static List<String> of(List<Path> files) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), OnnxRuntimeWarnings.class.getName()));
        files.forEach(file -> command.add(file.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("loading the models failed:\n" + output);
        }
        // ONNX Runtime's log lines look like "2024-... [W:onnxruntime:, graph.cc:123 Name] message".
        return output.lines().filter(line -> line.contains("[W:") || line.contains("[E:")).toList();
    }

    /** The child: loads every file given with warnings logged. */
    public static void main(String[] files) throws Exception {
        OrtEnvironment environment = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING);
        for (String file : files) {
            try (OrtSession.SessionOptions options = OnnxRuntimeModel.fullyOptimised()) {
                options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING);
                environment.createSession(file, options).close();
            }
        }
    }
}
