package dev.tl.train;

import dev.tl.AtomicFiles;
import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.model.ArrayReader;
import dev.tl.model.Params;
import dev.tl.train.listener.HistoryCsv;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's progress after its last completed epoch: the training graph's parameters and optimizer state (Adam's
 * moments and step count), the history, and the best weights so far. One zip file, replaced atomically after every
 * epoch, so a run killed at any moment resumes from its last completed epoch exactly.
 *
 * @param run     the run's settings, which a resume continues with (null in checkpoints of earlier versions)
 * @param args    the run's effective {@code tl train} options: in a message, the command that starts it anew; what
 *                a checkpoint without {@code run} resumes with
 * @param phase   {@link Phase#FROZEN} (the graph is the head) or {@link Phase#FINETUNE} (the whole model)
 * @param epoch   the last completed epoch of {@code phase}
 * @param phaseFinished whether {@code phase} ended after that epoch (all epochs run, or stopped early)
 * @param data    the images of the run's split (null in checkpoints of earlier versions)
 * @param file    where it was read from (null for one being written)
 */
public record Checkpoint(RunRecord run, List<String> args, Phase phase, int epoch, boolean phaseFinished,
                         List<EpochRecord> history, EpochRecord best, int iterationCount, int epochCount,
                         Map<String, INDArray> params, INDArray updaterState, Map<String, INDArray> bestParams,
                         DataRecord data, Path file) {

    public static final String FILE = "checkpoint.zip";
    private static final Logger log = LoggerFactory.getLogger(Checkpoint.class);
    private static final String STATE = "state.json";
    private static final String PARAMS = "params.bin";
    private static final String UPDATER = "updater.bin";
    private static final String BEST = "best.bin";

    /** A resume on data other than the interrupted run's. */
    public static final class OtherData extends TlException {
        private OtherData(String message) {
            super(message);
        }
    }

    /** What {@value #STATE} holds: everything but the arrays. */
    private record State(RunRecord run, List<String> args, Phase phase, int epoch, boolean phaseFinished,
                         List<EpochRecord> history, EpochRecord best, int iterationCount, int epochCount,
                         DataRecord data) {
    }

    /** Where a run writing its bundle to {@code output} keeps its checkpoint. */
    public static Path dirFor(Path output) {
        Path absolute = output.toAbsolutePath().normalize();
        return absolute.resolveSibling(absolute.getFileName() + ".checkpoint");
    }

    public static Checkpoint of(RunRecord run, List<String> args, DataRecord data, Phase phase, int epoch, boolean phaseFinished,
                         ComputationGraph graph, RunState state) {
        INDArray updater = graph.getUpdater() == null ? null : graph.getUpdater().getStateViewArray();
        return new Checkpoint(run, args, phase, epoch, phaseFinished, state.history(), state.bestEpoch(),
                graph.getConfiguration().getIterationCount(), graph.getConfiguration().getEpochCount(),
                graph.paramTable(), updater, state.bestParams(), data, null);
    }

    /** The history and best weights the interrupted run had. */
    RunState state() {
        return RunState.of(history, best, bestParams);
    }

    /** Puts the saved parameters and optimizer state into {@code graph}, built like the one saved. */
    void restoreInto(ComputationGraph graph) {
        Params.restore(params, graph);
        if (updaterState != null) {
            INDArray state = OwnGradientUpdater.of(graph).getStateViewArray();
            require(state.length() == updaterState.length(), file, UPDATER, "holds " + updaterState.length()
                    + " numbers, the optimizer of this phase " + state.length());
            state.assign(updaterState);
        }
        graph.getConfiguration().setIterationCount(iterationCount);
        graph.getConfiguration().setEpochCount(epochCount);
    }

    public void save(Path dir) {
        try {
            AtomicFiles.write(dir.resolve(FILE), stream -> {
                ZipOutputStream zip = new ZipOutputStream(stream);
                zip.setLevel(Deflater.NO_COMPRESSION);   // float weights barely compress; keep saving cheap
                zip.putNextEntry(new ZipEntry(STATE));
                zip.write(Json.write(new State(run, args, phase, epoch, phaseFinished, history, best, iterationCount,
                        epochCount, data)).getBytes(StandardCharsets.UTF_8));
                writeArrays(zip, PARAMS, params);
                if (updaterState != null) {
                    writeArrays(zip, UPDATER, Map.of("state", updaterState));
                }
                if (bestParams != null) {
                    writeArrays(zip, BEST, bestParams);
                }
                zip.finish();
            });
        } catch (IOException e) {
            throw new TlException("cannot write the training checkpoint in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the checkpoint in {@code dir} (a checkpoint directory, or the output directory of the run), checking
     * every field of it that does not depend on the run (those are checked by {@link #requireFits}).
     */
    public static Checkpoint load(Path dir) {
        Path file = Files.isRegularFile(dir.resolve(FILE)) ? dir.resolve(FILE) : dirFor(dir).resolve(FILE);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            State state;
            try (InputStream in = entry(zip, STATE, file)) {
                state = Json.MAPPER.readValue(in, State.class);
            }
            requireValid(state, file);
            Map<String, INDArray> params = readArrays(zip, PARAMS, file);
            Map<String, INDArray> updater = zip.getEntry(UPDATER) == null ? null : readArrays(zip, UPDATER, file);
            Map<String, INDArray> best = zip.getEntry(BEST) == null ? null : readArrays(zip, BEST, file);
            requireArrays(file, PARAMS, params, false);
            requireArrays(file, BEST, best, true);
            if (updater != null && (updater.size() != 1 || !updater.containsKey("state"))) {
                throw invalid(file, UPDATER, "must hold one array called state, not " + updater.keySet());
            }
            if ((best == null) != (state.best() == null)) {
                throw invalid(file, BEST, state.best() == null ? "is there, but state.json names no best epoch"
                        : "is missing, but state.json names a best epoch");
            }
            return new Checkpoint(state.run(), state.args(), state.phase(), state.epoch(), state.phaseFinished(), state.history(),
                    state.best(), state.iterationCount(), state.epochCount(), params,
                    updater == null ? null : updater.get("state"), best, state.data(), file);
        } catch (NoSuchFileException e) {
            throw new TlException("no checkpoint at " + dir + " (looked for " + dir.resolve(FILE)
                    + " and " + dirFor(dir).resolve(FILE) + ")");
        } catch (TlException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new TlException("cannot read the checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /** The fields of state.json that must hold in any checkpoint tl writes. */
    private static void requireValid(State state, Path file) {
        require(state.args() != null && !state.args().contains(null), file, "args", "must be a list of arguments");
        require(state.phase() != null, file, "phase", "is missing");
        require(state.epoch() >= 1, file, "epoch", "must be 1 or more, not " + state.epoch());
        require(state.iterationCount() >= 0, file, "iteration_count", "must not be negative");
        require(state.epochCount() >= 0, file, "epoch_count", "must not be negative");
        List<EpochRecord> history = state.history();
        require(history != null && !history.isEmpty() && !history.contains(null), file, "history",
                "must list the epochs run");
        int frozen = 0;
        int finetune = 0;
        for (EpochRecord record : history) {
            String epoch = record.phase() + " epoch " + record.epoch();
            require(record.phase() != null, file, "history", epoch + " has no phase");
            require(record.phase() == Phase.FINETUNE || finetune == 0, file, "history", epoch
                    + " comes after fine-tuning began");
            int next = record.phase() == Phase.FROZEN ? ++frozen : ++finetune;
            require(record.epoch() == next, file, "history", epoch + " is not the next of its phase (" + next + ")");
            String problem = problem(record);
            require(problem == null, file, "history", epoch + " " + problem);
        }
        EpochRecord last = history.get(history.size() - 1);
        require(last.phase() == state.phase() && last.epoch() == state.epoch(), file, "epoch",
                state.phase() + " epoch " + state.epoch() + " is not the last in history (" + last.phase() + " epoch "
                        + last.epoch() + ")");
        require(state.best() == null || history.contains(state.best()), file, "best", "is not an epoch of history");
        String dataProblem = state.data() == null ? null : state.data().problem();
        require(dataProblem == null, file, "data", dataProblem);
    }

    /** What is wrong with an epoch's numbers (a checkpoint holds finite epochs only), or null. */
    private static String problem(EpochRecord record) {
        if (!Double.isFinite(record.loss()) || record.loss() < 0) {
            return "has loss " + record.loss();
        }
        if (record.valLoss() != null && (!Double.isFinite(record.valLoss()) || record.valLoss() < 0)) {
            return "has val_loss " + record.valLoss();
        }
        if (record.valAccuracy() != null && !(record.valAccuracy() >= 0 && record.valAccuracy() <= 1)) {
            return "has val_accuracy " + record.valAccuracy();
        }
        if (!(record.learningRate() > 0) || !Double.isFinite(record.learningRate())) {
            return "has learning rate " + record.learningRate();
        }
        return Double.isFinite(record.seconds()) && record.seconds() >= 0 ? null : "took " + record.seconds() + " s";
    }

    private static void requireArrays(Path file, String entry, Map<String, INDArray> arrays, boolean optional) {
        if (arrays == null) {
            require(optional, file, entry, "is missing");
            return;
        }
        require(!arrays.isEmpty(), file, entry, "holds no parameters");
        arrays.forEach((name, array) -> require(Double.isFinite(array.sumNumber().doubleValue()), file, entry,
                name + " holds numbers that are not finite"));
    }

    /**
     * Checks, before any work, what must agree with the run being resumed: its epochs per phase, and its data (the
     * same images in the same classes, hence the same split; {@code root} is the training images' directory, for
     * messages).
     */
    public void requireFits(TrainOptions options, DataRecord now, Path root) {
        int epochs = phase == Phase.FROZEN ? options.frozenEpochs() : options.finetuneEpochs();
        require(epoch <= epochs, file, "epoch", phase + " epoch " + epoch + " is beyond the run's " + epochs + " "
                + phase + " epochs");
        for (Phase each : Phase.values()) {
            long run = history.stream().filter(record -> record.phase() == each).count();
            int planned = each == Phase.FROZEN ? options.frozenEpochs() : options.finetuneEpochs();
            require(run <= planned, file, "history", run + " " + each + " epochs, but the run has " + planned);
        }
        if (data == null) {
            log.warn("{} does not record its images (written by an earlier tl): the data is not checked", file);
        } else {
            String changes = data.changesTo(now, root);
            if (changes != null) {
                throw new OtherData("the data is not what the interrupted run trained on (" + file + "): "
                        + changes);
            }
        }
    }

    /** The saved parameters are {@code model}'s, by name and shape: checked before the model trains. */
    void requireParametersOf(ComputationGraph model) {
        requireShapes(PARAMS, params, model);
        if (bestParams != null) {
            requireShapes(BEST, bestParams, model);
        }
    }

    /** Each saved parameter is one of {@code model}'s (the whole model names every parameter, the head's too). */
    private void requireShapes(String entry, Map<String, INDArray> saved, ComputationGraph model) {
        Map<String, INDArray> expected = model.paramTable();
        saved.forEach((name, array) -> {
            INDArray parameter = expected.get(name);
            require(parameter != null, file, entry, name + " is not a parameter of the model");
            require(Arrays.equals(parameter.shape(), array.shape()), file, entry, name + " has shape "
                    + Arrays.toString(array.shape()) + ", the model's is " + Arrays.toString(parameter.shape()));
        });
    }

    private static void require(boolean holds, Path file, String field, String problem) {
        if (!holds) {
            throw invalid(file, field, problem);
        }
    }

    private static TlException invalid(Path file, String field, String problem) {
        return new TlException("checkpoint " + file + ": " + field + " " + problem);
    }

    /**
     * The interrupted run whose checkpoint is in {@code dir}, in words ("finetune epoch 98, written 2026-..."), read
     * from its state alone; null when there is no checkpoint.
     */
    public static String describe(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (ZipFile zip = new ZipFile(file.toFile()); InputStream in = entry(zip, STATE, file)) {
            State state = Json.MAPPER.readValue(in, State.class);
            return state.phase() + " epoch " + state.epoch() + ", written "
                    + Files.getLastModifiedTime(file).toInstant().truncatedTo(ChronoUnit.SECONDS);
        } catch (IOException | RuntimeException e) {
            return "a checkpoint tl cannot read: " + e.getMessage();
        }
    }

    /**
     * Removes the checkpoint directory of a finished run: its checkpoint, the metrics file kept beside it, and any
     * partial file a killed writer left. Anything else in it stays (and with it the directory).
     */
    public static void delete(Path dir) {
        try (var files = Files.newDirectoryStream(dir, "{" + FILE + "," + HistoryCsv.FILE + ",." + FILE + "*.tmp,."
                + HistoryCsv.FILE + "*.tmp}")) {
            for (Path file : files) {
                Files.delete(file);
            }
            Files.deleteIfExists(dir);
        } catch (NoSuchFileException | DirectoryNotEmptyException e) {
            // no checkpoint: nothing ran an epoch
        } catch (IOException e) {
            log.warn("could not delete the finished run's checkpoint {}: {}", dir, e.getMessage());
        }
    }

    private static void writeArrays(ZipOutputStream zip, String name, Map<String, INDArray> arrays)
            throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(zip, 1 << 20));   // flushed, not closed
        out.writeInt(arrays.size());
        for (Map.Entry<String, INDArray> entry : arrays.entrySet()) {
            out.writeUTF(entry.getKey());
            Nd4j.write(entry.getValue(), out);
        }
        out.flush();
    }

    /** Named arrays, their declared lengths checked against what the file can hold ({@link ArrayReader}). */
    private static Map<String, INDArray> readArrays(ZipFile zip, String name, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new IOException(file + " has no " + name);
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(zip.getInputStream(entry), 1 << 16))) {
            ArrayReader reader = new ArrayReader(in, ArrayReader.capacityOf(file, entry), file + " (" + name + ")");
            int count = in.readInt();
            Map<String, INDArray> arrays = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                arrays.put(in.readUTF(), reader.read());
            }
            return arrays;
        }
    }

    private static InputStream entry(ZipFile zip, String name, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new IOException(file + " has no " + name);
        }
        return zip.getInputStream(entry);
    }
}
