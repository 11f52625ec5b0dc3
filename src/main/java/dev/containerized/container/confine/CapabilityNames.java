package dev.containerized.container.confine;

import java.util.Map;
import java.util.OptionalInt;

/** linux/capability.h: the names profiles use in includes and excludes, and their numbers. */
final class CapabilityNames {
    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("CAP_CHOWN", 0), Map.entry("CAP_DAC_OVERRIDE", 1), Map.entry("CAP_DAC_READ_SEARCH", 2),
            Map.entry("CAP_FOWNER", 3), Map.entry("CAP_FSETID", 4), Map.entry("CAP_KILL", 5),
            Map.entry("CAP_SETGID", 6), Map.entry("CAP_SETUID", 7), Map.entry("CAP_SETPCAP", 8),
            Map.entry("CAP_LINUX_IMMUTABLE", 9), Map.entry("CAP_NET_BIND_SERVICE", 10),
            Map.entry("CAP_NET_BROADCAST", 11), Map.entry("CAP_NET_ADMIN", 12), Map.entry("CAP_NET_RAW", 13),
            Map.entry("CAP_IPC_LOCK", 14), Map.entry("CAP_IPC_OWNER", 15), Map.entry("CAP_SYS_MODULE", 16),
            Map.entry("CAP_SYS_RAWIO", 17), Map.entry("CAP_SYS_CHROOT", 18), Map.entry("CAP_SYS_PTRACE", 19),
            Map.entry("CAP_SYS_PACCT", 20), Map.entry("CAP_SYS_ADMIN", 21), Map.entry("CAP_SYS_BOOT", 22),
            Map.entry("CAP_SYS_NICE", 23), Map.entry("CAP_SYS_RESOURCE", 24), Map.entry("CAP_SYS_TIME", 25),
            Map.entry("CAP_SYS_TTY_CONFIG", 26), Map.entry("CAP_MKNOD", 27), Map.entry("CAP_LEASE", 28),
            Map.entry("CAP_AUDIT_WRITE", 29), Map.entry("CAP_AUDIT_CONTROL", 30), Map.entry("CAP_SETFCAP", 31),
            Map.entry("CAP_MAC_OVERRIDE", 32), Map.entry("CAP_MAC_ADMIN", 33), Map.entry("CAP_SYSLOG", 34),
            Map.entry("CAP_WAKE_ALARM", 35), Map.entry("CAP_BLOCK_SUSPEND", 36), Map.entry("CAP_AUDIT_READ", 37),
            Map.entry("CAP_PERFMON", 38), Map.entry("CAP_BPF", 39), Map.entry("CAP_CHECKPOINT_RESTORE", 40));

    private CapabilityNames() {
    }

    static OptionalInt number(String name) {
        Integer number = NUMBERS.get(name);
        return number == null ? OptionalInt.empty() : OptionalInt.of(number);
    }
}
