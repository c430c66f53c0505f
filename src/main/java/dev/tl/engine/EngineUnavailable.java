package dev.tl.engine;

import dev.tl.TlException;

/** An engine cannot run a network here (it does not convert, or the runtime cannot load); the message says why. */
public final class EngineUnavailable extends TlException {

    public EngineUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
