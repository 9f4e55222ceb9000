package io.meterline.platform.usage;

import java.util.List;

/** A batch refused whole; nothing of it was stored. */
public class UsageBatchRejectedException extends RuntimeException {

    private final List<UsageError> errors;

    public UsageBatchRejectedException(List<UsageError> errors) {
        super(errors.size() + " problem(s), first: " + errors.get(0).message());
        this.errors = List.copyOf(errors);
    }

    public List<UsageError> errors() {
        return errors;
    }
}
