package dev.tl.cli;

import dev.tl.BuildInfo;
import dev.tl.TlException;
import dev.tl.device.DeviceRequest;
import dev.tl.device.DeviceSelection;
import dev.tl.progress.Progress;
import dev.tl.zoo.weights.WeightCache;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/**
 * Entry point: {@code tl train | lr-find | evaluate | predict | report | export | embed | models | weights | cache |
 * bench | info | completion}. Exit 0 on success, 2 on bad usage or input, 1 on internal failure.
 */
@Command(name = "tl", mixinStandardHelpOptions = true, versionProvider = TlCli.Version.class,
        description = "Train image classifiers by transfer learning from ImageNet backbones.")
public final class TlCli implements Runnable {

    public static final int EXIT_INTERNAL = 1;
    public static final int EXIT_USAGE = 2;

    /** The commands, in the order help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(TrainCommand.class, EvaluateCommand.class,
            PredictCommand.class, ModelsCommand.class, EmbedCommand.class, WeightsCommand.class, BenchCommand.class,
            LrFindCommand.class, ExportCommand.class, InfoCommand.class, ReportCommand.class, CacheCommand.class,
            CompletionCommand.class, CommandLine.HelpCommand.class);
    /** Commands that read the whole command tree (the other commands' help, their options for completion). */
    private static final Set<String> NEEDING_ALL = Set.of("help", "completion");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Log debug details to stderr.")
    void verbose(boolean on) {
        if (on) {
            LogLevel.set("DEBUG");
        }
    }

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "Log only warnings and errors.")
    void quiet(boolean on) {
        if (on) {
            LogLevel.set("WARN");
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        System.exit(commandLine(args).execute(args));
    }

    /** The configured command line with every command; tests call {@code execute} on it to run commands in-process. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line that runs {@code args}: with only the command they name, where they name one that does not
     * read the others. picocli builds a command's model from its annotations when the command is added, a tenth of a
     * second per command on a cold JVM, so a one-image predict does not pay for all fourteen. Anything else (no
     * command, a mistyped one, help, completion) gets them all, for listings and suggestions.
     */
    static CommandLine commandLine(String[] args) {
        String named = Arrays.stream(args).filter(arg -> !arg.startsWith("-")).findFirst().orElse("");
        List<Class<?>> commands = COMMANDS.stream().filter(command -> nameOf(command).equals(named)).toList();
        if (commands.isEmpty() || NEEDING_ALL.contains(named)) {
            commands = COMMANDS;
        }
        CommandLine cli = new CommandLine(new TlCli());
        for (Class<?> command : commands) {
            cli.addSubcommand(command);
        }
        cli.setExecutionExceptionHandler(TlCli::handleFailure);
        cli.setParameterExceptionHandler(TlCli::handleBadUsage);
        cli.setDefaultValueProvider(new ConfigFile());
        cli.setExecutionStrategy(TlCli::execute);
        // An option given twice takes its last value, so a script can append an override to a stored command line.
        cli.setOverwrittenOptionsAllowed(true);
        // Names (--output-format, --format, --schedule...) are taken in any case, as every other value of tl's.
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUsageHelpAutoWidth(true); // help as wide as the terminal
        if (cli.getSubcommands().containsKey("train")) {
            OptionHeadings.install(cli.getSubcommands().get("train"), TrainCommand.HELP_HEADINGS);
        }
        return cli;
    }

    private static String nameOf(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

    /**
     * Runs the command after starting ND4J on the backend its {@code --device} asks for: ND4J chooses once per
     * process, so this must come before anything touches it. A command that may not need ND4J at all
     * ({@link Nd4jOnDemand}) has the choice made now and ND4J started when first needed.
     */
    private static int execute(CommandLine.ParseResult parseResult) {
        Integer helpExitCode = CommandLine.executeHelpRequest(parseResult);
        if (helpExitCode != null) {
            return helpExitCode;
        }
        List<CommandLine> commands = parseResult.asCommandLineList();
        CommandLine command = commands.get(commands.size() - 1);
        CommandLine.Model.CommandSpec device = command.getCommandSpec().mixins().get("device");
        if (device != null) {
            DeviceRequest request = ((DeviceOption) device.userObject()).device;
            try {
                if (command.getCommandSpec().userObject() instanceof Nd4jOnDemand) {
                    Flags.about(DeviceOption.NAME, () -> {
                        DeviceSelection.defer(request);
                        return request;
                    });
                } else {
                    Flags.about(DeviceOption.NAME, () -> DeviceSelection.apply(request, request == DeviceRequest.AUTO));
                }
            } catch (TlException e) {
                throw new CommandLine.ExecutionException(command, e.getMessage(), e);
            }
        }
        try {
            return new CommandLine.RunLast().execute(parseResult);
        } catch (OutOfMemoryError e) {
            return outOfMemory(e, command);
        }
    }

    private static int outOfMemory(OutOfMemoryError e, CommandLine command) {
        Progress.clearTerminal();
        PrintWriter err = command.getErr();
        err.println("tl " + command.getCommandName() + ": error: " + OutOfMemory.message(e, command));
        err.flush();
        return EXIT_USAGE;
    }

    /** One line naming what is wrong (and picocli's suggestions for a mistyped option), not the whole usage. */
    private static int handleBadUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        Path config = e.getArgSpec() != null && cli.getCommandSpec().defaultValueProvider() instanceof ConfigFile file
                ? file.sourceOf(e.getArgSpec()) : null;
        err.println("tl " + cli.getCommandName() + ": error: " + e.getMessage()
                + (config == null ? "" : " (set in " + config + ")"));
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
            OtherToolsOptions.suggest(unmatched.getUnmatched(), cli.getCommandSpec()).forEach(err::println);
        }
        err.println("(see: " + cli.getCommandSpec().qualifiedName() + " --help)");
        err.flush();
        return EXIT_USAGE;
    }

    private static int handleFailure(Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
        Optional<OutOfMemoryError> outOfMemory = OutOfMemory.in(e);
        if (outOfMemory.isPresent()) {
            return outOfMemory(outOfMemory.get(), cli);
        }
        Progress.clearTerminal();
        PrintWriter err = cli.getErr();
        TlException userError = findUserError(e);
        if (userError != null) {
            err.println("tl " + cli.getCommandName() + ": error: " + userError.getMessage() + hint(e, cli));
            err.flush();
            return exitCode(e);
        }
        err.println("tl " + cli.getCommandName() + ": internal error: " + e);
        e.printStackTrace(err);
        err.flush();
        return EXIT_INTERNAL;
    }

    /** What else the user can do, where the error alone does not say it. */
    private static String hint(Throwable error, CommandLine cli) {
        if (causes(error).noneMatch(WeightCache.Unavailable.class::isInstance)) {
            return "";
        }
        return cli.getCommandName().equals("predict")
                ? "\n  or give Keras' with-top weight file: --weights FILE"
                : "\n  or start from random weights: --weights none";
    }

    /** The exit code the most specific user error in the chain asks for (a wrapper names a flag, nothing more). */
    private static int exitCode(Throwable error) {
        return causes(error).filter(TlException.class::isInstance).map(t -> ((TlException) t).exitCode())
                .filter(code -> code != EXIT_USAGE).findFirst().orElse(EXIT_USAGE);
    }

    private static Stream<Throwable> causes(Throwable error) {
        return Stream.iterate(error, Objects::nonNull, Throwable::getCause);
    }

    /** A user error may arrive wrapped (e.g. by DL4J or a worker thread). */
    private static TlException findUserError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TlException tl) {
                return tl;
            }
        }
        return null;
    }

    /** Whether {@code -v} asked for details. */
    static boolean verbose() {
        return LoggerFactory.getLogger("dev.tl").isDebugEnabled();
    }

    /** picocli's --version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {BuildInfo.version()};
        }
    }
}
