package dev.tl.train;

import dev.tl.model.BatchNormFolding;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Data parallelism over several devices with the step one device would take: every batch is split into one shard
 * per worker, each worker's replica of the model (on its own device, with the model's current weights) computes its
 * shard's summed gradient in micro-batches, and the model takes one optimizer step on the sum. With BatchNorm frozen
 * that is the whole batch's step, so micro-batching, the learning rate the listeners set on the model and the
 * checkpoints stay what they are on one device. (DL4J's ParallelWrapper runs its own loop and averages replicas,
 * which those would bypass.)
 */
final class DataParallel implements BatchStep, AutoCloseable {

    private final List<Worker> workers = new ArrayList<>();

    /** One device: its thread, the model's replica there and that replica's micro-batching. */
    private record Worker(ExecutorService thread, ComputationGraph replica, MicroBatching microBatching) {
    }

    /**
     * @param model     the model the steps update; worker 0's device should be the one it lives on
     * @param devices   one worker per device, 0 to devices-1 (on the CPU, which is one device, only for tests)
     */
    DataParallel(ComputationGraph model, int devices, MicroBatching microBatching) {
        for (int device = 0; device < devices; device++) {
            int id = device;
            ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
                Thread worker = new Thread(() -> {
                    Nd4j.getAffinityManager().unsafeSetDevice(id); // arrays this thread makes live on the device
                    runnable.run();
                }, "tl-device-" + id);
                worker.setDaemon(true);
                return worker;
            });
            // Built from the configuration, not clone(): a clone shares the model's listener list, which every
            // replica's step changes (training accuracy counts each pass), and lacks a fine-tune graph's links.
            String json = model.getConfiguration().toJson();
            workers.add(new Worker(thread, await(thread.submit(() -> BatchNormFolding.training(
                    ComputationGraphConfiguration.fromJson(json)))), microBatching.copy()));
        }
    }

    @Override
    public StepResult fit(ComputationGraph model, MultiDataSet batch) {
        int n = (int) batch.getFeatures(0).size(0);
        long stepSeed = Nd4j.getRandom().nextLong(); // each shard's dropout from the model's seeded stream
        List<Future<MicroBatching.Gradients>> shards = new ArrayList<>();
        for (int w = 0; w < workers.size(); w++) {
            long from = (long) n * w / workers.size();
            long to = (long) n * (w + 1) / workers.size();
            if (to > from) {
                Worker worker = workers.get(w);
                long seed = stepSeed + w;
                shards.add(worker.thread().submit(() -> {
                    Nd4j.getRandom().setSeed(seed);
                    worker.replica().params().assign(model.params().unsafeDuplication(true));
                    return worker.microBatching().gradients(worker.replica(), shard(batch, from, to));
                }));
            }
        }
        INDArray sum = null;
        double loss = 0;
        int correct = 0;
        for (Future<MicroBatching.Gradients> shard : shards) {
            MicroBatching.Gradients gradients = await(shard);
            INDArray here = gradients.sum().unsafeDuplication(true); // onto the model's device
            sum = sum == null ? here : sum.addi(here);
            loss += gradients.loss();
            correct += gradients.correct();
        }
        MicroBatching.step(model, sum, n);
        return new StepResult(loss / n, correct);
    }

    @Override
    public String describe(int batchSize) {
        int shard = (batchSize + workers.size() - 1) / workers.size();
        return "batches of " + batchSize + " over " + workers.size() + " devices (shards of up to " + shard
                + ": " + workers.get(0).microBatching().describe(shard) + "; gradients summed, one step per batch)";
    }

    @Override
    public void close() {
        workers.forEach(worker -> worker.thread().shutdownNow());
    }

    /** A worker's rows of the batch, copied onto its device. */
    private static MultiDataSet shard(MultiDataSet batch, long from, long to) {
        return new org.nd4j.linalg.dataset.MultiDataSet(copies(MicroBatching.rows(batch.getFeatures(), from, to)),
                copies(MicroBatching.rows(batch.getLabels(), from, to)));
    }

    private static INDArray[] copies(INDArray[] views) {
        INDArray[] copies = new INDArray[views.length];
        for (int i = 0; i < views.length; i++) {
            copies[i] = views[i].unsafeDuplication(true);
        }
        return copies;
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the devices computed", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException(e.getCause());
        }
    }
}
