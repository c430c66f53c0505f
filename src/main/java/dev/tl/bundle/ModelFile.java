package dev.tl.bundle;

import dev.tl.Json;
import dev.tl.TlException;
import dev.tl.model.ArrayReader;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DL4J model file of a bundle, read as data. DL4J's {@code ModelSerializer.restoreComputationGraph} would also
 * read entries such as {@code preprocessor.bin} with Java deserialization, which runs whatever a crafted file
 * names; here only the configuration (JSON) and the parameters (ND4J's array format) are read, and a file with any
 * other entry is refused before anything is parsed. The file is written as DL4J writes it, plus the input sizes the
 * model was trained at ({@value #INPUT_SIZES}): a fully convolutional network accepts any size, so the metadata's
 * claim can only be checked against the model's own record.
 */
final class ModelFile {

    private static final String CONFIGURATION = "configuration.json";
    private static final String COEFFICIENTS = "coefficients.bin";
    private static final String INPUT_SIZES = "tl-input-sizes.json";
    /** What {@link #write} puts in the file; DL4J also writes the optimizer state when asked, which is ignored. */
    private static final Set<String> ENTRIES = Set.of(CONFIGURATION, COEFFICIENTS, INPUT_SIZES, "updaterState.bin");
    /** The largest configuration tl's biggest model (EfficientNetB7) needs is a few MB. */
    private static final long MAX_CONFIGURATION_BYTES = 64L << 20;

    private ModelFile() {
    }

    /** The model and the image size of each of its inputs. */
    record Read(ComputationGraph graph, List<Integer> inputSizes) {
    }

    static void write(ComputationGraph graph, List<Integer> inputSizes, Path file) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            zip.putNextEntry(new ZipEntry(CONFIGURATION));
            zip.write(graph.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry(COEFFICIENTS));
            DataOutputStream out = new DataOutputStream(zip);
            Nd4j.write(graph.params(), out);
            out.flush();
            zip.putNextEntry(new ZipEntry(INPUT_SIZES));
            zip.write(Json.write(inputSizes).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The model; the input sizes are empty for a file from before tl recorded them. */
    static Read read(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                if (!ENTRIES.contains(name)) {
                    throw new TlException(file + " holds '" + name + "', which a tl model file never does (it holds "
                            + CONFIGURATION + " and " + COEFFICIENTS + "); it is not read");
                }
            }
            ComputationGraphConfiguration configuration = configuration(zip, file);
            List<Integer> sizes = inputSizes(zip, file);
            check(configuration, sizes, file);
            long parameters = configuration.getVertices().values().stream().mapToLong(v -> v.numParams(true)).sum();
            ZipEntry coefficients = entry(zip, COEFFICIENTS, file);
            INDArray params;
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(zip.getInputStream(coefficients),
                    1 << 16))) {
                params = new ArrayReader(in, ArrayReader.capacityOf(file, coefficients),
                        file + " (" + COEFFICIENTS + ")").read(parameters);
            }
            ComputationGraph graph = new ComputationGraph(configuration);
            graph.init(params, false); // the array read becomes the graph's parameters
            return new Read(graph, sizes);
        } catch (TlException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new TlException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    private static ComputationGraphConfiguration configuration(ZipFile zip, Path file) throws IOException {
        String json = new String(bytes(zip, CONFIGURATION, file), StandardCharsets.UTF_8);
        try {
            return ComputationGraphConfiguration.fromJson(json);
        } catch (RuntimeException e) {
            throw new TlException(file + ": " + CONFIGURATION + " is not a model configuration: " + firstSentence(e),
                    e);
        }
    }

    /** The graph checked ({@link GraphCheck}) at the sizes the model was trained at, in each input's layout. */
    private static void check(ComputationGraphConfiguration configuration, List<Integer> sizes, Path file) {
        try {
            List<String> inputs = configuration.getNetworkInputs();
            List<InputType> types = new ArrayList<>();
            for (int i = 0; i < sizes.size() && sizes.size() == inputs.size(); i++) {
                CNN2DFormat layout = layout(configuration, inputs.get(i));
                types.add(InputType.convolutional(sizes.get(i), sizes.get(i), 3,
                        layout == null ? CNN2DFormat.NCHW : layout));
            }
            GraphCheck.check(configuration, types);
        } catch (RuntimeException e) {
            throw new TlException(file + ": " + CONFIGURATION + " is not a valid model graph: " + firstSentence(e), e);
        }
    }

    /** DL4J's explanation without the advice on its builder API that follows it. */
    private static String firstSentence(RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        int end = message.indexOf(". ");
        return end < 0 ? message : message.substring(0, end);
    }

    private static List<Integer> inputSizes(ZipFile zip, Path file) throws IOException {
        if (zip.getEntry(INPUT_SIZES) == null) {
            return List.of();
        }
        List<Integer> sizes = Arrays.asList(Json.MAPPER.readValue(bytes(zip, INPUT_SIZES, file), Integer[].class));
        if (sizes.stream().anyMatch(size -> size == null || size < 1)) {
            throw new TlException(file + ": " + INPUT_SIZES + " lists " + sizes + ", not image sizes");
        }
        return sizes;
    }

    /**
     * The layout the layer reading network input {@code input} takes (tl's graphs start with a convolution or a
     * zero padding); null for any other layer.
     */
    static CNN2DFormat layout(ComputationGraphConfiguration configuration, String input) {
        for (Map.Entry<String, List<String>> vertex : configuration.getVertexInputs().entrySet()) {
            if (vertex.getValue().contains(input)
                    && configuration.getVertices().get(vertex.getKey()) instanceof LayerVertex layer) {
                Layer conf = layer.getLayerConf().getLayer();
                if (conf instanceof ConvolutionLayer convolution) {
                    return convolution.getCnn2dDataFormat();
                }
                if (conf instanceof ZeroPaddingLayer padding) {
                    return padding.getDataFormat();
                }
            }
        }
        return null;
    }

    private static byte[] bytes(ZipFile zip, String name, Path file) throws IOException {
        try (InputStream in = zip.getInputStream(entry(zip, name, file))) {
            byte[] content = in.readNBytes((int) MAX_CONFIGURATION_BYTES + 1);
            if (content.length > MAX_CONFIGURATION_BYTES) {
                throw new TlException(file + ": " + name + " is larger than any tl model's");
            }
            return content;
        }
    }

    private static ZipEntry entry(ZipFile zip, String name, Path file) {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new TlException(file + " has no " + name);
        }
        return entry;
    }
}
