package dev.tl.engine;

import dev.tl.data.Batch;
import dev.tl.data.InputSpec;
import dev.tl.device.ComputeBackend;
import java.util.ArrayList;
import java.util.List;

/** Sessions composed of others. */
public final class Sessions {

    private Sessions() {
    }

    /**
     * The bases of a fused model, each its own session on input i of the batches, as one session whose output is
     * their (first) outputs side by side: the fused model's concatenated features. One pass decodes each image once.
     */
    public static Session concatenated(List<Session> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        List<Session> sessions = List.copyOf(parts);
        List<InputSpec> inputs = sessions.stream().flatMap(part -> part.inputs().stream()).toList();
        return new Session() {
            @Override
            public String engine() {
                return sessions.get(0).engine();
            }

            @Override
            public ComputeBackend.Kind device() {
                return sessions.get(0).device();
            }

            @Override
            public List<InputSpec> inputs() {
                return inputs;
            }

            @Override
            public List<Tensor> run(Batch batch) {
                List<float[][]> outputs = new ArrayList<>();
                for (int i = 0; i < sessions.size(); i++) {
                    outputs.add(sessions.get(i).run(batch.only(i)).get(0).rows());
                }
                int rows = outputs.get(0).length;
                int width = outputs.stream().mapToInt(output -> output[0].length).sum();
                float[] values = new float[rows * width];
                for (int r = 0; r < rows; r++) {
                    int at = r * width;
                    for (float[][] output : outputs) {
                        System.arraycopy(output[r], 0, values, at, output[r].length);
                        at += output[r].length;
                    }
                }
                return List.of(new Tensor(values, new long[] {rows, width}));
            }

            @Override
            public void close() {
                sessions.forEach(Session::close);
            }
        };
    }
}
