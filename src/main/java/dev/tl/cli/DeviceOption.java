package dev.tl.cli;

import dev.tl.device.DeviceRequest;
import picocli.CommandLine.Option;

/**
 * {@code --device} (alias {@code --backend}): which ND4J backend computes. {@link TlCli} applies it before the
 * command runs, because ND4J picks its backend once per process, when it starts.
 */
final class DeviceOption {

    static final String NAME = "--device";

    @Option(names = {NAME, "--backend"}, defaultValue = "auto", paramLabel = "auto|cpu|gpu",
            converter = Converters.Devices.class,
            description = "Compute on a GPU through CUDA (gpu: an error saying why if none can be used), on the CPU, "
                    + "or auto: a usable GPU, else the CPU; the log says which. GPUs need a build with the CUDA "
                    + "backend (Maven profiles cpu,cuda). Default: ${DEFAULT-VALUE}.")
    DeviceRequest device;
}
