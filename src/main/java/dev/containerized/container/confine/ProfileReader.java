package dev.containerized.container.confine;

import dev.containerized.internal.linux.Architecture;
import dev.containerized.internal.json.Json;
import dev.containerized.internal.json.JsonException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a profile in Docker's JSON format ({@code docker run --security-opt seccomp=FILE}) into a
 * {@link Profile}. Every error names the source, the field ({@code syscalls[3].args[0].op}) or the
 * JSON position, what is wrong, and what to write instead.
 * <p>
 * Unknown fields are errors, unlike in Docker: a misspelt {@code "arg"} would otherwise turn a
 * conditional allow into an unconditional one without a word.
 */
final class ProfileReader {
    private static final Set<String> PROFILE_FIELDS = Set.of("defaultAction", "defaultErrnoRet", "architectures",
            "archMap", "syscalls", "flags", "listenerPath", "listenerMetadata");
    private static final Set<String> ARCH_MAP_FIELDS = Set.of("architecture", "subArchitectures");
    private static final Set<String> RULE_FIELDS = Set.of("names", "name", "action", "errnoRet", "args", "comment",
            "includes", "excludes");
    private static final Set<String> ARG_FIELDS = Set.of("index", "value", "valueTwo", "op");
    private static final Set<String> FILTER_FIELDS = Set.of("caps", "arches", "minKernel");
    private static final String ACTIONS = "SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, "
            + "SCMP_ACT_KILL_PROCESS, SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG";
    private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final String source;

    private ProfileReader(String source) {
        this.source = source;
    }

    /** @param source what the profile is, for messages: "seccomp profile /etc/p.json" */
    static Profile read(String source, String json) {
        return new ProfileReader(source).profile(json);
    }

    private Profile profile(String json) {
        Map<String, Object> doc;
        try {
            doc = Json.parseObject(json);
        } catch (JsonException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage()
                    + "; fix the JSON: a profile is an object such as"
                    + " {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
        }
        checkFields(doc, "the profile", PROFILE_FIELDS);
        checkNothingUnsupported(doc);
        checkArchitectures(doc);
        Integer defaultErrno = errno(doc.get("defaultErrnoRet"), "defaultErrnoRet");
        if (!doc.containsKey("defaultAction")) {
            throw fail("the profile", "has no \"defaultAction\"",
                    "add \"defaultAction\": \"SCMP_ACT_ERRNO\" (Docker's) or another action: " + ACTIONS);
        }
        Action defaultAction = action(doc.get("defaultAction"), defaultErrno, "defaultAction", "defaultErrnoRet");
        List<SyscallRule> rules = new ArrayList<>();
        List<?> syscalls = list(doc.get("syscalls"), "syscalls");
        for (int i = 0; i < syscalls.size(); i++) {
            rules.add(rule(syscalls.get(i), "syscalls[" + i + "]"));
        }
        return new Profile(defaultAction, rules);
    }

    /** Features of Docker's format that need an installation this project does not do. */
    private void checkNothingUnsupported(Map<String, Object> doc) {
        if (!list(doc.get("flags"), "flags").isEmpty()) {
            throw fail("flags", "seccomp filter flags are not supported: the filter is installed without flags",
                    "remove \"flags\"");
        }
        for (String field : List.of("listenerPath", "listenerMetadata")) {
            Object value = doc.get(field);
            if (value != null && !"".equals(value)) {
                throw fail(field, "seccomp agents (SCMP_ACT_NOTIFY) are not supported", "remove \"" + field + "\"");
            }
        }
    }

    /** Checked so that a typo is reported; they never widen the filter (see tools/seccomp/README.md). */
    private void checkArchitectures(Map<String, Object> doc) {
        List<?> architectures = list(doc.get("architectures"), "architectures");
        for (int i = 0; i < architectures.size(); i++) {
            architecture(architectures.get(i), "architectures[" + i + "]");
        }
        List<?> archMap = list(doc.get("archMap"), "archMap");
        for (int i = 0; i < archMap.size(); i++) {
            String field = "archMap[" + i + "]";
            Map<String, Object> entry = object(archMap.get(i), field);
            checkFields(entry, field, ARCH_MAP_FIELDS);
            architecture(entry.get("architecture"), field + ".architecture");
            List<?> subArchitectures = list(entry.get("subArchitectures"), field + ".subArchitectures");
            for (int j = 0; j < subArchitectures.size(); j++) {
                architecture(subArchitectures.get(j), field + ".subArchitectures[" + j + "]");
            }
        }
    }

    private SyscallRule rule(Object value, String field) {
        Map<String, Object> rule = object(value, field);
        checkFields(rule, field, RULE_FIELDS);
        List<String> names = names(rule, field);
        if (!rule.containsKey("action")) {
            throw fail(field, "has no \"action\"", "add one of " + ACTIONS);
        }
        Integer errnoRet = errno(rule.get("errnoRet"), field + ".errnoRet");
        Action action = action(rule.get("action"), errnoRet, field + ".action", field + ".errnoRet");
        List<ArgCheck> checks = new ArrayList<>();
        List<?> args = list(rule.get("args"), field + ".args");
        for (int i = 0; i < args.size(); i++) {
            checks.add(argCheck(args.get(i), field + ".args[" + i + "]"));
        }
        Object comment = rule.get("comment");
        if (comment != null && !(comment instanceof String)) {
            throw fail(field + ".comment", "expected a string, found " + Json.describe(comment), "write the comment in quotes");
        }
        return new SyscallRule(names, action, checks, filter(rule.get("includes"), field + ".includes"),
                filter(rule.get("excludes"), field + ".excludes"));
    }

    /** {@code names}, or the single {@code name} of Docker's older profiles. */
    private List<String> names(Map<String, Object> rule, String field) {
        Object names = rule.get("names");
        Object name = rule.get("name");
        if (names != null && name != null) {
            throw fail(field, "has both \"name\" and \"names\"", "keep \"names\" and list every call there");
        }
        if (name != null) {
            return List.of(syscallName(name, field + ".name"));
        }
        if (names instanceof String single) {
            throw fail(field + ".names", "expected an array of strings, found " + Json.describe(single),
                    "write [\"" + single + "\"]");
        }
        List<?> list = list(names, field + ".names");
        if (list.isEmpty()) {
            throw fail(field, "names no system call", "add \"names\": [\"read\", ...]");
        }
        List<String> result = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            result.add(syscallName(list.get(i), field + ".names[" + i + "]"));
        }
        return result;
    }

    private String syscallName(Object value, String field) {
        String name = string(value, field);
        if (name.isBlank()) {
            throw fail(field, "is empty", "write a system call name such as \"read\"");
        }
        return name;
    }

    private Action action(Object value, Integer errnoRet, String field, String errnoField) {
        String name = string(value, field);
        switch (name) {
            case "SCMP_ACT_ERRNO":
                // runc's rule: without errnoRet the call fails with EPERM.
                return Action.errno(errnoRet == null ? Action.EPERM : errnoRet);
            case "SCMP_ACT_TRACE":
                return Action.trace(errnoRet == null ? Action.EPERM : errnoRet);
            case "SCMP_ACT_NOTIFY":
                throw fail(field, "SCMP_ACT_NOTIFY is not supported: it needs a seccomp agent, and there is none",
                        "use SCMP_ACT_ERRNO to refuse the call or SCMP_ACT_LOG to allow and log it");
            default:
                break;
        }
        Action action = switch (name) {
            case "SCMP_ACT_ALLOW" -> Action.ALLOW;
            case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> new Action(Action.RET_KILL_THREAD);
            case "SCMP_ACT_KILL_PROCESS" -> Action.KILL_PROCESS;
            case "SCMP_ACT_TRAP" -> new Action(Action.RET_TRAP);
            case "SCMP_ACT_LOG" -> new Action(Action.RET_LOG);
            default -> throw fail(field, "unknown action \"" + name + "\"", "write one of " + ACTIONS);
        };
        if (errnoRet != null) {
            throw fail(errnoField, "applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE only, not to " + name,
                    "remove it, or make the action SCMP_ACT_ERRNO");
        }
        return action;
    }

    private ArgCheck argCheck(Object value, String field) {
        Map<String, Object> arg = object(value, field);
        checkFields(arg, field, ARG_FIELDS);
        if (!arg.containsKey("index") || !arg.containsKey("op")) {
            throw fail(field, "needs an \"index\" and an \"op\"",
                    "write {\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}");
        }
        long index = integer(arg.get("index"), field + ".index");
        if (index < 0 || index >= ArgCheck.MAX_ARGS) {
            throw fail(field + ".index", "is " + index + ", but system calls have arguments 0 to 5 only",
                    "write an index from 0 to 5");
        }
        String opName = string(arg.get("op"), field + ".op");
        CompareOp op = CompareOp.named(opName).orElseThrow(() -> fail(field + ".op",
                "unknown operator \"" + opName + "\"", "write one of " + CompareOp.known()));
        return new ArgCheck((int) index, unsigned64(arg.get("value"), field + ".value"),
                unsigned64(arg.get("valueTwo"), field + ".valueTwo"), op);
    }

    private RuleFilter filter(Object value, String field) {
        if (value == null) {
            return RuleFilter.NONE;
        }
        Map<String, Object> filter = object(value, field);
        checkFields(filter, field, FILTER_FIELDS);
        Set<Integer> caps = new LinkedHashSet<>();
        List<?> capNames = list(filter.get("caps"), field + ".caps");
        for (int i = 0; i < capNames.size(); i++) {
            String capField = field + ".caps[" + i + "]";
            String cap = string(capNames.get(i), capField);
            caps.add(CapabilityNames.number(cap).orElseThrow(() -> fail(capField, "unknown capability \"" + cap + "\"",
                    "write a name from linux/capability.h, such as CAP_SYS_ADMIN")));
        }
        Set<String> arches = new LinkedHashSet<>();
        List<?> archNames = list(filter.get("arches"), field + ".arches");
        for (int i = 0; i < archNames.size(); i++) {
            arches.add(architecture(archNames.get(i), field + ".arches[" + i + "]"));
        }
        return new RuleFilter(caps, arches, minKernel(filter.get("minKernel"), field + ".minKernel"));
    }

    private Optional<KernelVersion> minKernel(Object value, String field) {
        if (value == null) {
            return Optional.empty();
        }
        String text = string(value, field);
        if (!text.matches("\\d{1,6}(\\.\\d{1,6})?")) {
            throw fail(field, "\"" + text + "\" is not a kernel version", "write major.minor, such as \"4.8\"");
        }
        return Optional.of(KernelVersion.parse(text));
    }

    private String architecture(Object value, String field) {
        String name = string(value, field);
        return ArchitectureNames.canonical(name).orElseThrow(() -> fail(field, "unknown architecture \"" + name + "\"",
                "write one of " + ArchitectureNames.known()));
    }

    private Integer errno(Object value, String field) {
        if (value == null) {
            return null;
        }
        long errno = integer(value, field);
        if (errno < 0 || errno > Action.MAX_ERRNO) {
            throw fail(field, "is " + errno + ", outside the errno range", "write a number from 0 to " + Action.MAX_ERRNO
                    + ", such as 1 (EPERM) or 38 (ENOSYS)");
        }
        return (int) errno;
    }

    private long integer(Object value, String field) {
        if (!(value instanceof Long number)) {
            throw fail(field, "expected a whole number, found " + Json.describe(value), "write a number without quotes");
        }
        return number;
    }

    /** Arguments are unsigned 64-bit: 18446744073709551615 is all ones, which JSON cannot write as -1. */
    private long unsigned64(Object value, String field) {
        if (value == null) {
            return 0;
        }
        BigInteger number;
        try {
            number = value instanceof Long l ? BigInteger.valueOf(l)
                    : value instanceof BigDecimal d ? d.toBigIntegerExact() : null;
        } catch (ArithmeticException fraction) {
            number = null;
        }
        if (number == null || number.signum() < 0 || number.compareTo(MAX_U64) > 0) {
            throw fail(field, "expected an unsigned 64-bit number, found " + Json.describe(value),
                    "write a whole number from 0 to 18446744073709551615 (for -1 as a 32-bit int, write 4294967295)");
        }
        return number.longValue();
    }

    private String string(Object value, String field) {
        if (!(value instanceof String s)) {
            throw fail(field, "expected a string, found " + Json.describe(value), "write the value in double quotes");
        }
        return s;
    }

    private List<?> list(Object value, String field) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw fail(field, "expected an array, found " + Json.describe(value), "write [ ... ]");
        }
        return list;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> object(Object value, String field) {
        if (!(value instanceof Map)) {
            throw fail(field, "expected an object, found " + Json.describe(value), "write { ... }");
        }
        return (Map<String, Object>) value;
    }

    private void checkFields(Map<String, Object> object, String field, Set<String> known) {
        for (String key : object.keySet()) {
            if (!known.contains(key)) {
                throw fail(field, "has an unknown field \"" + key + "\"",
                        "use only " + String.join(", ", new TreeSet<>(known)));
            }
        }
    }

    private IllegalArgumentException fail(String field, String problem, String fix) {
        return new IllegalArgumentException(source + ": " + field + ": " + problem + "; " + fix);
    }
}
