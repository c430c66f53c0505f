package dev.tl.cli;

/** One kind of result as it prints: text for people and, by default, the JSON of the result object itself. */
interface Renderer<T> {

    String text(T result);

    default Object json(T result) {
        return result;
    }
}
