package dev.tl.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What a command that ran out of memory tells the user: which memory (ND4J's off-heap tensors, capped by JavaCPP's
 * {@code maxphysicalbytes}, or the Java heap) and which of the command's options to lower, with their values,
 * instead of an internal error and the stack of a DL4J operation.
 */
final class OutOfMemory {

    private static final List<String> SIZES = List.of("--batch-size", MicroBatchOption.NAME, "--image-size");

    private OutOfMemory() {
    }

    /** The memory error in {@code error}'s causes, if it is one. */
    static Optional<OutOfMemoryError> in(Throwable error) {
        return Stream.iterate(error, Objects::nonNull, Throwable::getCause).filter(OutOfMemoryError.class::isInstance)
                .map(OutOfMemoryError.class::cast).reduce((outer, inner) -> inner);
    }

    /** The message: what ran out, the options of {@code command} that set how much a step takes, the limit. */
    static String message(OutOfMemoryError error, CommandLine command) {
        String what = String.valueOf(error.getMessage());
        boolean offHeap = what.contains("physicalBytes") || what.contains("totalBytes");
        List<String> sizes = sizes(command);
        String lower = sizes.isEmpty() ? "" : ": lower " + (sizes.size() == 1 ? sizes.get(0)
                : String.join(", ", sizes.subList(0, sizes.size() - 1)) + " or " + sizes.get(sizes.size() - 1));
        return "out of memory " + (offHeap ? "for ND4J's arrays" : "on the Java heap") + " (" + what + ")" + lower
                + "\n  or raise the limit: TL_JAVA_OPTS=" + (offHeap ? "-Dorg.bytedeco.javacpp.maxphysicalbytes=SIZE"
                : "-XmxSIZE");
    }

    /** The options that size a step, as given or defaulted; the image size only where it is not the bundle's. */
    private static List<String> sizes(CommandLine command) {
        CommandLine.Model.CommandSpec spec = command.getCommandSpec();
        OptionSpec bundle = spec.findOption("--model-dir");
        boolean fromBundle = bundle != null && command.getParseResult() != null
                && command.getParseResult().hasMatchedOption("--model-dir");
        List<String> sizes = new ArrayList<>();
        for (String name : SIZES) {
            OptionSpec option = spec.findOption(name);
            if (option == null || name.equals("--image-size") && fromBundle) {
                continue;
            }
            Object value = option.getValue();
            sizes.add(value == null ? name : name + " (" + value + ")");
        }
        return sizes;
    }
}
