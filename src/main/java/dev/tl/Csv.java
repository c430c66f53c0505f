package dev.tl;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CSV files tl reads and writes (image labels, class weights, features): a header naming the columns, RFC 4180
 * quoting, blank lines skipped, spaces around unquoted values trimmed, a UTF-8 byte order mark tolerated.
 */
public final class Csv {

    private static final CsvMapper MAPPER = CsvMapper.builder()
            .enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
            .enable(CsvParser.Feature.TRIM_SPACES)
            .build();

    private Csv() {
    }

    /** One data row and the line it starts on (quoted values may span lines). */
    public record Row(int line, Map<String, String> values) {
        public String get(String column) {
            return values.get(column);
        }
    }

    /**
     * The data rows of {@code file}, whose header must name exactly {@code columns} (in any order).
     * Errors name the file and the line.
     */
    public static List<Row> read(Path file, List<String> columns) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), columns);
        } catch (NoSuchFileException e) {
            throw new TlException("no such file: " + file);
        } catch (IOException e) {
            throw new TlException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The same for a stream (a file on another file system), called {@code name} in errors. */
    public static List<Row> read(InputStream in, String name, List<String> columns) {
        List<List<String>> records = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        try (CsvParser parser = (CsvParser) MAPPER.getFactory().createParser(in)) {
            List<String> record = null;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.START_ARRAY) {
                    record = new ArrayList<>();
                } else if (token == JsonToken.VALUE_STRING) {
                    if (record.isEmpty()) {
                        lines.add(parser.currentTokenLocation().getLineNr());
                    }
                    record.add(parser.getText());
                } else if (token == JsonToken.END_ARRAY && record != null && !record.isEmpty()) {
                    records.add(record);
                    record = null;
                }
            }
        } catch (StreamReadException e) {
            throw new TlException(name + " line " + e.getLocation().getLineNr() + ": not valid CSV: "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new TlException("cannot read " + name + ": " + e.getMessage(), e);
        }
        if (records.isEmpty()) {
            throw new TlException(name + " is empty (expected the header " + String.join(",", columns)
                    + " and one line per entry)");
        }
        List<String> header = records.get(0);
        String where = name + " line " + lines.get(0) + ": ";
        for (String column : header) {
            if (!columns.contains(column)) {
                throw new TlException(where + "unknown column '" + column + "' (expected the header "
                        + String.join(",", columns) + ")");
            }
        }
        for (String column : columns) {
            if (Collections.frequency(header, column) != 1) {
                throw new TlException(where + "the header needs column '" + column + "' exactly once (expected "
                        + String.join(",", columns) + ")");
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int r = 1; r < records.size(); r++) {
            List<String> record = records.get(r);
            if (record.size() != header.size()) {
                throw new TlException(name + " line " + lines.get(r) + ": expected " + header.size()
                        + " values (" + String.join(",", header) + "), got " + record.size());
            }
            Map<String, String> values = new HashMap<>();
            for (int c = 0; c < header.size(); c++) {
                values.put(header.get(c), record.get(c));
            }
            rows.add(new Row(lines.get(r), values));
        }
        return rows;
    }

    /** {@code header} then {@code rows}, quoted where needed. */
    public static String write(List<String> header, List<List<String>> rows) {
        StringWriter text = new StringWriter();
        try {
            write(text, header, rows);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write CSV", e);
        }
        return text.toString();
    }

    /** The same, written to {@code out} row by row as {@code rows} gives them (for files too large to hold). */
    public static void write(Writer out, List<String> header, Iterable<List<String>> rows) throws IOException {
        try (SequenceWriter writer = MAPPER.writer().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .writeValues(out)) {
            writer.write(header);
            for (List<String> row : rows) {
                writer.write(row);
            }
        }
    }
}
