package dev.containerized.container.confine;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * libseccomp's comparisons of a system call argument, on the whole unsigned 64-bit value.
 * MASKED_EQ is {@code (arg & value) == valueTwo}: the profile's {@code value} is the mask.
 */
enum CompareOp {
    NE("SCMP_CMP_NE"),
    LT("SCMP_CMP_LT"),
    LE("SCMP_CMP_LE"),
    EQ("SCMP_CMP_EQ"),
    GE("SCMP_CMP_GE"),
    GT("SCMP_CMP_GT"),
    MASKED_EQ("SCMP_CMP_MASKED_EQ");

    private final String profileName;

    CompareOp(String profileName) {
        this.profileName = profileName;
    }

    static Optional<CompareOp> named(String name) {
        return Arrays.stream(values()).filter(op -> op.profileName.equals(name)).findFirst();
    }

    static String known() {
        return Arrays.stream(values()).map(op -> op.profileName).collect(Collectors.joining(", "));
    }

    /** What the filter must compute, for tests that state the semantics independently of BPF. */
    boolean holds(long argument, long value, long valueTwo) {
        return switch (this) {
            case NE -> argument != value;
            case LT -> Long.compareUnsigned(argument, value) < 0;
            case LE -> Long.compareUnsigned(argument, value) <= 0;
            case EQ -> argument == value;
            case GE -> Long.compareUnsigned(argument, value) >= 0;
            case GT -> Long.compareUnsigned(argument, value) > 0;
            case MASKED_EQ -> (argument & value) == valueTwo;
        };
    }

    @Override
    public String toString() {
        return profileName;
    }
}
