package dev.containerized.container.confine;

/**
 * What the filter answers for a system call: one SECCOMP_RET_* value, its low 16 bits the errno
 * (ERRNO) or the message for the tracer (TRACE).
 */
record Action(int returnValue) {
    // linux/seccomp.h
    static final int RET_KILL_PROCESS = 0x80000000;
    static final int RET_KILL_THREAD = 0x00000000;
    static final int RET_TRAP = 0x00030000;
    static final int RET_ERRNO = 0x00050000;
    static final int RET_TRACE = 0x7ff00000;
    static final int RET_LOG = 0x7ffc0000;
    static final int RET_ALLOW = 0x7fff0000;
    static final int RET_ACTION_FULL = 0xffff0000;
    static final int RET_DATA = 0x0000ffff;

    /** The kernel clamps larger values to MAX_ERRNO, so a profile asking for more is mistaken. */
    static final int MAX_ERRNO = 4095;
    static final int EPERM = 1;

    static final Action ALLOW = new Action(RET_ALLOW);
    static final Action KILL_PROCESS = new Action(RET_KILL_PROCESS);

    static Action errno(int errno) {
        return new Action(RET_ERRNO | errno);
    }

    static Action trace(int message) {
        return new Action(RET_TRACE | message);
    }

    /**
     * The kernel's order of precedence when several filters answer (seccomp_run_filters compares
     * the action parts as signed numbers, KILL_PROCESS lowest): used here when several rules of one
     * profile match the same call, so the most restrictive one wins.
     */
    int precedence() {
        return returnValue & RET_ACTION_FULL;
    }

    @Override
    public String toString() {
        int data = returnValue & RET_DATA;
        return switch (precedence()) {
            case RET_KILL_PROCESS -> "KILL_PROCESS";
            case RET_KILL_THREAD -> "KILL_THREAD";
            case RET_TRAP -> "TRAP";
            case RET_ERRNO -> "ERRNO(" + data + ")";
            case RET_TRACE -> "TRACE(" + data + ")";
            case RET_LOG -> "LOG";
            case RET_ALLOW -> "ALLOW";
            default -> String.format("0x%08x", returnValue);
        };
    }
}
