package dev.containerized.container.confine;

/** One condition on a system call argument: {@code args[index] op value} (64-bit, unsigned). */
record ArgCheck(int index, long value, long valueTwo, CompareOp op) {
    /** seccomp_data has six argument slots. */
    static final int MAX_ARGS = 6;

    ArgCheck {
        if (index < 0 || index >= MAX_ARGS) {
            throw new IllegalArgumentException("argument index " + index + " is not 0 to 5");
        }
    }

    boolean holds(long[] arguments) {
        return op.holds(arguments[index], value, valueTwo);
    }
}
