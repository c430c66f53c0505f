package dev.tl.spark;

import dev.tl.data.Framing;
import dev.tl.engine.EngineChoice;
import dev.tl.engine.EngineRequest;
import dev.tl.engine.Network;
import dev.tl.engine.OnnxStore;
import dev.tl.engine.Session;
import dev.tl.engine.Sessions;
import dev.tl.model.BaseSpec;
import dev.tl.model.BaseWeights;
import dev.tl.model.HeadSpec;
import dev.tl.model.ModelSpec;
import dev.tl.model.Precision;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkFiles;

/**
 * What an executor runs the feature pass with, as the job ships it: the bases with the names of their weight files
 * (added to the job; none: tl's fixed random initialisation), the precision and the inference engine. Each executor
 * JVM opens it once — one session per base on the engine, as tl embed does — and shares it between its tasks; a
 * session is not safe to run from several threads, so tasks take turns at it and decode their images meanwhile.
 */
record Extractor(List<Base> bases, Precision precision, EngineRequest engine) implements Serializable {

    private static final Map<Extractor, Session> OPENED = new ConcurrentHashMap<>();

    /**
     * @param framing    how images are framed before resizing, as {@link Framing#id()} names it
     * @param weightFile the file's name among the job's files, or null for a random initialisation
     */
    record Base(String backbone, int imageSize, String framing, String weightFile) implements Serializable {
    }

    ModelSpec spec() {
        return new ModelSpec(bases.stream().map(base -> new BaseSpec(base.backbone(), base.imageSize(),
                        Framing.of(base.framing()))).toList(),
                new HeadSpec(0, 0), 1);
    }

    /** This executor's session, opened on first use: the bases' pooled features side by side. */
    Session session() {
        return OPENED.computeIfAbsent(this, key -> {
            ModelSpec spec = spec();
            EngineChoice engines = new EngineChoice(engine, precision);
            List<Session> parts = new ArrayList<>();
            for (int i = 0; i < bases.size(); i++) {
                int base = i;
                Optional<Path> file = Optional.ofNullable(bases.get(i).weightFile())
                        .map(name -> Path.of(SparkFiles.get(name)));
                parts.add(engines.open(Network.built(bases.get(i).backbone() + " features",
                        List.of(spec.bases().get(i).inputSpec()), () -> BaseWeights.extractor(spec, base, file),
                        OnnxStore.NONE)));
            }
            return Sessions.concatenated(parts);
        });
    }
}
