package io.rtcdp.udf.ml;

import java.io.IOException;

/** A model directory or model data stream that is malformed or does not fit docs/contract.md §7. */
public final class ModelException extends IOException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
