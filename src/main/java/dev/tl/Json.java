package dev.tl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JSON conventions of every file and {@code --json} output: snake_case keys, indented. */
public final class Json {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Json() {
    }

    /**
     * A file of tl's read as {@code type}, refused unread above {@code maxBytes}: a file that is not JSON, or one
     * whose field fails its record's checks (made in the record's constructor), is an error naming the file and the
     * field (exit 2).
     */
    public static <T> T read(Path file, Class<T> type, long maxBytes) {
        return parse(file, readBytes(file, maxBytes), type);
    }

    /** The bytes of a file of tl's, refused unread above {@code maxBytes}. */
    public static byte[] readBytes(Path file, long maxBytes) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new TlException(file + " is " + size + " bytes, more than tl ever writes there (" + maxBytes
                        + "): it is not read");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TlException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code content}, read from {@code file}, as {@code type}, with {@link #read}'s checks and messages. */
    public static <T> T parse(Path file, byte[] content, Class<T> type) {
        try {
            return MAPPER.readValue(content, type);
        } catch (JsonMappingException e) {
            String field = field(e);
            String problem = e instanceof ValueInstantiationException && e.getCause() != null
                    ? e.getCause().getMessage() : e.getOriginalMessage();
            throw new TlException(file + ": " + (field.isEmpty() ? "" : field + (e instanceof
                    ValueInstantiationException ? "." : ": ")) + problem, e);
        } catch (JsonProcessingException e) {
            throw new TlException(file + " is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        } catch (IOException e) {
            throw new TlException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Where in the file a mapping failed, as {@code inputs[0].framing}. */
    private static String field(JsonMappingException e) {
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                field.append(field.isEmpty() ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                field.append('[').append(reference.getIndex()).append(']');
            }
        }
        return field.toString();
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }
}
