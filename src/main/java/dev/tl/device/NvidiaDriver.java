package dev.tl.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the NVIDIA driver reports through {@code nvidia-smi}: asked before ND4J starts, because ND4J picks its
 * backend once per process and a CUDA backend that cannot run fails late and noisily.
 *
 * @param cudaVersion the newest CUDA version the driver supports ("12.2"), or null when nvidia-smi does not say
 */
public record NvidiaDriver(String driverVersion, String cudaVersion, List<Gpu> gpus) {

    private static final Pattern CUDA_VERSION = Pattern.compile("CUDA Version:\\s*(\\d+\\.\\d+)");
    private static final long TIMEOUT_SECONDS = 20;

    public NvidiaDriver {
        gpus = List.copyOf(gpus);
    }

    /**
     * @param computeCapability "8.6", or null where the driver is too old to report it
     */
    public record Gpu(int index, String name, String computeCapability, long memoryBytes) {
    }

    /** The driver as {@code command} (normally "nvidia-smi") reports it; empty when there is none. */
    public static Optional<NvidiaDriver> probe(String command) {
        boolean withCapability = true;
        Optional<String> table = run(command, "--query-gpu=index,name,memory.total,driver_version,compute_cap",
                "--format=csv,noheader,nounits");
        if (table.isEmpty()) {
            // Drivers before R510 cannot report the compute capability: ask again without it.
            withCapability = false;
            table = run(command, "--query-gpu=index,name,memory.total,driver_version",
                    "--format=csv,noheader,nounits");
        }
        if (table.isEmpty()) {
            return Files.exists(Path.of("/proc/driver/nvidia/version"))
                    ? Optional.of(new NvidiaDriver("unknown (nvidia-smi did not answer)", null, List.of()))
                    : Optional.empty();
        }
        List<Gpu> gpus = new ArrayList<>();
        String driverVersion = "unknown";
        for (String line : table.get().strip().split("\n")) {
            String[] fields = line.split(",\\s*");
            if (fields.length < (withCapability ? 5 : 4)) {
                continue;
            }
            gpus.add(new Gpu(Integer.parseInt(fields[0].trim()), fields[1].trim(),
                    withCapability ? fields[4].trim() : null, parseMebibytes(fields[2]) << 20));
            driverVersion = fields[3].trim();
        }
        String cudaVersion = run(command).map(CUDA_VERSION::matcher).filter(Matcher::find)
                .map(match -> match.group(1)).orElse(null);
        return Optional.of(new NvidiaDriver(driverVersion, cudaVersion, gpus));
    }

    private static long parseMebibytes(String field) {
        try {
            return Long.parseLong(field.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The command's standard output if it ran and exited 0. */
    private static Optional<String> run(String command, String... args) {
        List<String> commandLine = new ArrayList<>(List.of(command));
        commandLine.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(commandLine).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return process.exitValue() == 0 ? Optional.of(new String(output, StandardCharsets.UTF_8))
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // no such command
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
