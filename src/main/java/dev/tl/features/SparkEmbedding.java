package dev.tl.features;

import dev.tl.engine.EngineRequest;
import dev.tl.model.BaseSpec;
import dev.tl.model.Precision;
import dev.tl.zoo.weights.WeightsChoice;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * {@code tl embed}'s feature pass on Apache Spark. The implementation lives in the Spark job (module src/spark) and
 * is on the classpath only inside it; the CLI submits that job with its own arguments, and inside it
 * {@code tl embed} finds the implementation here and runs the pass in process.
 */
public interface SparkEmbedding {

    /**
     * One feature pass: the bases and their weights as tl embed resolves them; {@code data} (a directory of class
     * folders, or the root {@code labelsCsv}'s paths are relative to) and {@code out} as URIs or paths of any Hadoop
     * file system.
     *
     * @param labelsCsv a path,label CSV listing the images, or null for class folders
     * @param engine    what runs the bases on the executors
     */
    record Job(String master, List<BaseSpec> bases, WeightsChoice weights, int batchSize,
               Precision precision, EngineRequest engine, String data, String labelsCsv, String out) {
    }

    /** What was written where. */
    record Result(long images, int dimension, String out) {
    }

    /** The implementation if this process is the Spark job's driver. */
    static Optional<SparkEmbedding> inProcess() {
        return ServiceLoader.load(SparkEmbedding.class).findFirst();
    }

    Result embed(Job job);
}
