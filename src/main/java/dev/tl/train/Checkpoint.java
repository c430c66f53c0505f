package dev.tl.train;

import dev.tl.AtomicFiles;
import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.model.ArrayReader;
import dev.tl.model.Params;
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
 * @param args    the run's effective {@code tl train} options, to resume it with the same settings
 * @param phase   {@link Phase#FROZEN} (the graph is the head) or {@link Phase#FINETUNE} (the whole model)
 * @param epoch   the last completed epoch of {@code phase}
 * @param phaseFinished whether {@code phase} ended after that epoch (all epochs run, or stopped early)
 */
public record Checkpoint(List<String> args, Phase phase, int epoch, boolean phaseFinished,
                         List<EpochRecord> history, EpochRecord best, int iterationCount, int epochCount,
                         Map<String, INDArray> params, INDArray updaterState, Map<String, INDArray> bestParams) {

    public static final String FILE = "checkpoint.zip";
    private static final Logger log = LoggerFactory.getLogger(Checkpoint.class);
    private static final String STATE = "state.json";
    private static final String PARAMS = "params.bin";
    private static final String UPDATER = "updater.bin";
    private static final String BEST = "best.bin";

    /** What {@value #STATE} holds: everything but the arrays. */
    private record State(List<String> args, Phase phase, int epoch, boolean phaseFinished,
                         List<EpochRecord> history, EpochRecord best, int iterationCount, int epochCount) {
    }

    /** Where a run writing its bundle to {@code output} keeps its checkpoint. */
    public static Path dirFor(Path output) {
        Path absolute = output.toAbsolutePath().normalize();
        return absolute.resolveSibling(absolute.getFileName() + ".checkpoint");
    }

    static Checkpoint of(List<String> args, Phase phase, int epoch, boolean phaseFinished, ComputationGraph graph,
                         RunState state) {
        INDArray updater = graph.getUpdater() == null ? null : graph.getUpdater().getStateViewArray();
        return new Checkpoint(args, phase, epoch, phaseFinished, state.history(), state.bestEpoch(),
                graph.getConfiguration().getIterationCount(), graph.getConfiguration().getEpochCount(),
                graph.paramTable(), updater, state.bestParams());
    }

    /** The history and best weights the interrupted run had. */
    RunState state() {
        return RunState.of(history, best, bestParams);
    }

    /** Puts the saved parameters and optimizer state into {@code graph}, built like the one saved. */
    void restoreInto(ComputationGraph graph) {
        Params.restore(params, graph);
        if (updaterState != null) {
            graph.getUpdater().getStateViewArray().assign(updaterState);
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
                zip.write(Json.write(new State(args, phase, epoch, phaseFinished, history, best, iterationCount,
                        epochCount)).getBytes(StandardCharsets.UTF_8));
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

    /** Reads the checkpoint in {@code dir} (a checkpoint directory, or the output directory of the run). */
    public static Checkpoint load(Path dir) {
        Path file = Files.isRegularFile(dir.resolve(FILE)) ? dir.resolve(FILE) : dirFor(dir).resolve(FILE);
        try (ZipFile zip = new ZipFile(file.toFile())) {
            State state;
            try (InputStream in = entry(zip, STATE, file)) {
                state = Json.MAPPER.readValue(in, State.class);
            }
            Map<String, INDArray> params = readArrays(zip, PARAMS, file);
            Map<String, INDArray> updater = zip.getEntry(UPDATER) == null ? null : readArrays(zip, UPDATER, file);
            Map<String, INDArray> best = zip.getEntry(BEST) == null ? null : readArrays(zip, BEST, file);
            return new Checkpoint(state.args(), state.phase(), state.epoch(), state.phaseFinished(), state.history(),
                    state.best(), state.iterationCount(), state.epochCount(), params,
                    updater == null ? null : updater.get("state"), best);
        } catch (NoSuchFileException e) {
            throw new TlException("no checkpoint at " + dir + " (looked for " + dir.resolve(FILE)
                    + " and " + dirFor(dir).resolve(FILE) + ")");
        } catch (IOException | RuntimeException e) {
            throw new TlException("cannot read the checkpoint " + file + ": " + e.getMessage(), e);
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
