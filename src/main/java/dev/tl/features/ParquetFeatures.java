package dev.tl.features;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tl.AtomicFiles;
import dev.tl.Json;
import dev.tl.TlException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Feature files in Parquet, as Spark writes them: columns {@code path} (string), {@code label} (string, may be null)
 * and {@code features} (array of float), snappy-compressed, a file or a directory of part files. The provenance is
 * metadata of the features column in the Spark schema Spark keeps in every file's footer, so Spark reads it back
 * ({@code df.schema("features").metadata}) and tl finds it in any file written by Spark or by tl.
 */
public final class ParquetFeatures {

    /** The file name ending (or directory of part files, as Spark writes it) of Parquet features. */
    public static final String EXTENSION = ".parquet";
    public static final String PATH = "path";
    public static final String LABEL = "label";
    public static final String FEATURES = "features";
    /** The key of the provenance (as JSON) in the features column's metadata. */
    public static final String PROVENANCE = "tl_features";
    /** Where Spark keeps its schema, column metadata included, in a Parquet footer. */
    static final String SPARK_SCHEMA = "org.apache.spark.sql.parquet.row.metadata";
    /** Spark's own Parquet schema for (path string not null, label string, features array<float> not null). */
    private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
            message spark_schema {
              required binary path (STRING);
              optional binary label (STRING);
              required group features (LIST) {
                repeated group list {
                  required float element;
                }
              }
            }""");

    private ParquetFeatures() {
    }

    public static boolean isParquet(Path path) {
        return FeatureFiles.hasExtension(path, EXTENSION);
    }

    /** Writes one Parquet file, aside and renamed into place. */
    public static void write(Path out, FeatureProvenance provenance, List<FeatureTable.Row> rows) {
        try {
            AtomicFiles.write(out, stream -> {
                try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(outputFile(stream))
                        .withType(SCHEMA)
                        .withCompressionCodec(CompressionCodecName.SNAPPY)
                        .withExtraMetaData(Map.of(SPARK_SCHEMA, sparkSchema(provenance)))
                        .build()) {
                    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
                    for (FeatureTable.Row row : rows) {
                        Group group = groups.newGroup().append(PATH, row.path());
                        if (row.label() != null) {
                            group.append(LABEL, row.label());
                        }
                        Group list = group.addGroup(FEATURES);
                        for (float value : row.features()) {
                            list.addGroup("list").append("element", value);
                        }
                        writer.write(group);
                    }
                }
            });
        } catch (IOException e) {
            throw new TlException("cannot write " + out.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The Spark schema (StructType JSON) of the three columns, the provenance on the features column: what the
     * Spark job's DataFrame carries, and what a file written here must say for Spark and tl to read it alike.
     */
    public static String sparkSchema(FeatureProvenance provenance) {
        String field = """
                {"name":"%s","type":%s,"nullable":%s,"metadata":%s}""";
        return "{\"type\":\"struct\",\"fields\":[" + String.join(",",
                field.formatted(PATH, "\"string\"", false, "{}"),
                field.formatted(LABEL, "\"string\"", true, "{}"),
                field.formatted(FEATURES, "{\"type\":\"array\",\"elementType\":\"float\",\"containsNull\":false}",
                        false, Json.MAPPER.createObjectNode().put(PROVENANCE, Json.write(provenance)).toString()))
                + "]}";
    }

    /** A Parquet file, or a directory of them (Spark's part files; names starting with _ or . are skipped). */
    public static FeatureTable read(Path source) {
        List<Path> files = partFiles(source);
        FeatureProvenance provenance = null;
        List<FeatureTable.Row> rows = new ArrayList<>();
        for (Path file : files) {
            try (ParquetFileReader reader = ParquetFileReader.open(inputFile(file), ParquetReadOptions.builder().build())) {
                FeatureProvenance own = provenance(file,
                        reader.getFooter().getFileMetaData().getKeyValueMetaData().get(SPARK_SCHEMA));
                if (provenance != null && !provenance.equals(own)) {
                    throw new TlException(file + " holds features computed differently from the rest of " + source);
                }
                provenance = own;
                readRows(file, reader, own.featureSize(), rows);
            } catch (TlException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new TlException("cannot read Parquet file " + file + ": " + e.getMessage(), e);
            }
        }
        return new FeatureTable(source, provenance, rows);
    }

    private static List<Path> partFiles(Path source) {
        if (Files.isRegularFile(source)) {
            return List.of(source);
        }
        if (!Files.isDirectory(source)) {
            throw new TlException("no Parquet file or directory at " + source.toAbsolutePath());
        }
        try (Stream<Path> entries = Files.list(source)) {
            List<Path> parts = entries.filter(Files::isRegularFile).filter(ParquetFeatures::isParquet)
                    .filter(file -> !file.getFileName().toString().startsWith("_")
                            && !file.getFileName().toString().startsWith("."))
                    .sorted().toList();
            if (parts.isEmpty()) {
                throw new TlException("no " + EXTENSION + " files in " + source.toAbsolutePath());
            }
            return parts;
        } catch (IOException e) {
            throw new TlException("cannot list " + source + ": " + e.getMessage(), e);
        }
    }

    private static FeatureProvenance provenance(Path file, String sparkSchema) {
        try {
            if (sparkSchema != null) {
                for (JsonNode field : Json.MAPPER.readTree(sparkSchema).path("fields")) {
                    JsonNode json = field.path("metadata").path(PROVENANCE);
                    if (field.path("name").asText().equals(FEATURES) && json.isTextual()) {
                        FeatureProvenance provenance = Json.MAPPER.readValue(json.asText(), FeatureProvenance.class);
                        if (!FeatureProvenance.FORMAT.equals(provenance.format())) {
                            throw new TlException(file + " holds features in format " + provenance.format()
                                    + ", which this tl does not read (it reads " + FeatureProvenance.FORMAT + ")");
                        }
                        return provenance;
                    }
                }
            }
        } catch (JsonProcessingException e) {
            throw new TlException(file + ": unreadable feature metadata: " + e.getOriginalMessage(), e);
        }
        throw new TlException(file + " is not a tl feature file (its features column says nothing about how "
                + "they were computed); write one with tl embed --out FILE" + EXTENSION);
    }

    private static void readRows(Path file, ParquetFileReader reader, int featureSize, List<FeatureTable.Row> rows)
            throws IOException {
        MessageType schema = reader.getFooter().getFileMetaData().getSchema();
        MessageColumnIO columns = new ColumnIOFactory().getColumnIO(schema);
        for (PageReadStore group = reader.readNextRowGroup(); group != null; group = reader.readNextRowGroup()) {
            RecordReader<Group> records = columns.getRecordReader(group, new GroupRecordConverter(schema));
            for (long i = 0; i < group.getRowCount(); i++) {
                Group record = records.read();
                Group list = record.getGroup(FEATURES, 0);
                float[] features = new float[list.getFieldRepetitionCount("list")];
                if (features.length != featureSize) {
                    throw new TlException(file + ": " + record.getString(PATH, 0) + " has " + features.length
                            + " features, its metadata says " + featureSize);
                }
                for (int j = 0; j < features.length; j++) {
                    features[j] = list.getGroup("list", j).getFloat("element", 0);
                }
                rows.add(new FeatureTable.Row(record.getString(PATH, 0),
                        record.getFieldRepetitionCount(LABEL) == 0 ? null : record.getString(LABEL, 0), features));
            }
        }
    }

    /**
     * A local file as Parquet input. (parquet-hadoop 1.14 has one, but the Spark job's tests run this class on the
     * Parquet 1.13 that Spark 3.5 brings, so only what both versions have is used here.)
     */
    private static InputFile inputFile(Path file) throws IOException {
        long length = Files.size(file);
        return new InputFile() {
            @Override
            public long getLength() {
                return length;
            }

            @Override
            public SeekableInputStream newStream() throws IOException {
                SeekableByteChannel channel = Files.newByteChannel(file);
                return new DelegatingSeekableInputStream(Channels.newInputStream(channel)) {
                    @Override
                    public long getPos() throws IOException {
                        return channel.position();
                    }

                    @Override
                    public void seek(long position) throws IOException {
                        channel.position(position);
                    }
                };
            }
        };
    }

    /** A Parquet output file over a stream that its caller closes. */
    private static OutputFile outputFile(OutputStream stream) {
        PositionOutputStream positioned = new PositionOutputStream() {
            private long position;

            @Override
            public long getPos() {
                return position;
            }

            @Override
            public void write(int b) throws IOException {
                stream.write(b);
                position++;
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                stream.write(bytes, offset, length);
                position += length;
            }

            @Override
            public void flush() throws IOException {
                stream.flush();
            }

            @Override
            public void close() throws IOException {
                stream.flush();
            }
        };
        return new OutputFile() {
            @Override
            public PositionOutputStream create(long blockSizeHint) {
                return positioned;
            }

            @Override
            public PositionOutputStream createOrOverwrite(long blockSizeHint) {
                return positioned;
            }

            @Override
            public boolean supportsBlockSize() {
                return false;
            }

            @Override
            public long defaultBlockSize() {
                return 0;
            }
        };
    }
}
