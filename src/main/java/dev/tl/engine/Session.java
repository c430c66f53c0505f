package dev.tl.engine;

import dev.tl.data.Batch;
import dev.tl.data.InputSpec;
import dev.tl.device.ComputeBackend;
import java.util.List;

/**
 * A network opened on an engine for a series of batches; closing it frees what the engine holds for it. Batches
 * must be assembled for {@link #inputs()} (the engine's layout). Not safe to run from several threads at once.
 */
public interface Session extends AutoCloseable {

    /** The engine's name, as {@code --engine} takes it. */
    String engine();

    /** Where it computes. */
    ComputeBackend.Kind device();

    /** What the batches must hold: the network's inputs, in the layout this engine takes them in. */
    List<InputSpec> inputs();

    /** The network's outputs for {@code batch}, in the network's output order, each with a row per input row. */
    List<Tensor> run(Batch batch);

    @Override
    void close();
}
