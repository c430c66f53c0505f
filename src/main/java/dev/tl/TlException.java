package dev.tl;

/**
 * A problem the user can fix: bad input, a bad flag, a missing file, no network for a download.
 * The CLI prints the message alone (no stack trace) and exits with code 2.
 */
public class TlException extends RuntimeException {

    public TlException(String message) {
        super(message);
    }

    public TlException(String message, Throwable cause) {
        super(message, cause);
    }

    /** What the CLI exits with: 2, bad usage or input, unless a subclass says otherwise. */
    public int exitCode() {
        return 2;
    }
}
