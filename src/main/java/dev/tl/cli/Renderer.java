package dev.tl.cli;

import java.util.Optional;

/**
 * One kind of result as it prints: text for people, by default the JSON of the result object itself, and CSV where
 * the result is a table.
 */
interface Renderer<T> {

    String text(T result);

    default Object json(T result) {
        return result;
    }

    /** The result as CSV, for commands marked {@link OutputOptions.CsvOutput}. */
    default Optional<String> csv(T result) {
        return Optional.empty();
    }
}
