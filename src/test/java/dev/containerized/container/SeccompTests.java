package dev.containerized.container;

import dev.containerized.internal.linux.Architecture;
import dev.containerized.container.confine.KernelVersion;
import dev.containerized.container.confine.SeccompFilters;
import dev.containerized.container.confine.Confinement;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SeccompTests {
    /** A profile as users write them for Docker: allow-list, argument rules, includes, excludes. */
    static final String USER_PROFILE = """
            {
              "defaultAction": "SCMP_ACT_ERRNO",
              "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
              "syscalls": [
                {"names": ["read", "write", "exit_group", "execve"], "action": "SCMP_ACT_ALLOW"},
                {"name": "close", "action": "SCMP_ACT_ALLOW", "args": []},
                {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
                 "args": [{"index": 0, "value": 2, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
                {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
                {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"},
                 "excludes": {"arches": ["arm64"]}, "comment": "not on arm"},
                {"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}
              ]
            }
            """;

    @TempDir
    Path dir;

    @Test
    void theKeywordsAndTheirNames() {
        assertThat(Seccomp.parse("default")).isSameAs(Seccomp.DEFAULT).hasToString("default");
        assertThat(Seccomp.parse("unconfined")).isSameAs(Seccomp.UNCONFINED).hasToString("unconfined");
        assertThat(Seccomp.parse(" default ")).isSameAs(Seccomp.DEFAULT);
        assertThat(Seccomp.DEFAULT).isNotEqualTo(Seccomp.UNCONFINED);
        assertThat(Seccomp.UNCONFINED.profileJson()).isEmpty();
        assertThat(Seccomp.DEFAULT.profileJson()).get().asString()
                .startsWith("{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"defaultErrnoRet\": 1,")
                .hasSize(17219);
    }

    @Test
    void aProfileFileIsReadAtOnceAndNamedByItsPath() throws IOException {
        Path file = write("profile.json", USER_PROFILE);
        Seccomp seccomp = Seccomp.parse(file.toString());
        assertThat(seccomp).hasToString(file.toAbsolutePath().toString());
        assertThat(seccomp.profileJson()).contains(USER_PROFILE);
        assertThat(seccomp).isEqualTo(Seccomp.fromFile(file)).hasSameHashCodeAs(Seccomp.fromFile(file));
        assertThat(Seccomp.parse(seccomp.toString())).isEqualTo(seccomp);

        Files.writeString(file, USER_PROFILE.replace("\"kill\"", "\"tkill\""));
        assertThat(Seccomp.fromFile(file)).as("another text is another profile").isNotEqualTo(seccomp);
        assertThat(seccomp.profileJson()).as("the text read at first stays").contains(USER_PROFILE);
    }

    @Test
    void theRuntimeCompilesWhatTheUserChose() throws IOException {
        Set<Integer> caps = Set.copyOf(Confinement.DOCKER_CAPABILITIES);
        KernelVersion kernel = KernelVersion.running();
        assertThat(SeccompFilters.compile(Seccomp.UNCONFINED, Architecture.X86_64, caps, kernel)).isEmpty();
        byte[] program = SeccompFilters.compile(Seccomp.DEFAULT, Architecture.current(), caps, kernel).orElseThrow();
        assertThat(program.length % 8).isZero();
        assertThat(program.length / 8).isLessThanOrEqualTo(SeccompFilters.MAX_INSTRUCTIONS);
        Seccomp user = Seccomp.fromFile(write("user.json", USER_PROFILE));
        for (Architecture arch : Architecture.values()) {
            assertThat(SeccompFilters.compile(user, arch, caps, kernel)).get().satisfies(p -> assertThat(p).isNotEmpty());
        }
    }

    @Nested
    class Failures {
        @Test
        void aMissingFile() {
            Path missing = dir.resolve("nope.json");
            assertThatThrownBy(() -> Seccomp.parse(missing.toString()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("seccomp profile " + missing + " does not exist: write \"default\", \"unconfined\","
                            + " or the path of a profile in Docker's JSON format");
        }

        @Test
        void nothingWritten() {
            assertThatThrownBy(() -> Seccomp.parse(" ")).hasMessageContaining("is empty: write \"default\"");
        }

        @Test
        void aDirectory() {
            assertThatThrownBy(() -> Seccomp.fromFile(dir)).hasMessageContaining(dir + " is a directory");
        }

        @Test
        void malformedJsonIsPlacedByLineAndColumn() throws IOException {
            Path file = write("broken.json", "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\"\n  \"syscalls\": []\n}");
            assertThatThrownBy(() -> Seccomp.fromFile(file))
                    .hasMessageStartingWith("seccomp profile " + file + ": invalid JSON at line 3, column 3: expected ',' or '}'")
                    .hasMessageContaining("; fix the JSON: a profile is an object such as {\"defaultAction\"");
        }

        @Test
        void anUnknownAction() throws IOException {
            assertThatThrownBy(() -> fromRules("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALOW\"}"))
                    .hasMessageEndingWith(": syscalls[0].action: unknown action \"SCMP_ACT_ALOW\"; write one of "
                            + "SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD, SCMP_ACT_KILL_PROCESS, "
                            + "SCMP_ACT_TRAP, SCMP_ACT_TRACE, SCMP_ACT_LOG");
        }

        @Test
        void anUnknownOperator() throws IOException {
            assertThatThrownBy(() -> fromRules("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\","
                    + " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQUAL\"}]}"))
                    .hasMessageEndingWith(": syscalls[0].args[0].op: unknown operator \"SCMP_CMP_EQUAL\"; write one of "
                            + "SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ");
        }

        @Test
        void anUnknownArchitecture() throws IOException {
            Path file = write("arch.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_X86_65\"]}");
            assertThatThrownBy(() -> Seccomp.fromFile(file))
                    .hasMessageStartingWith("seccomp profile " + file + ": architectures[0]: unknown architecture "
                            + "\"SCMP_ARCH_X86_65\"; write one of ")
                    .hasMessageContaining("SCMP_ARCH_X86_64").hasMessageContaining("amd64");
            assertThatThrownBy(() -> fromRules("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\","
                    + " \"includes\": {\"arches\": [\"amd46\"]}}"))
                    .hasMessageContaining("syscalls[0].includes.arches[0]: unknown architecture \"amd46\"");
        }

        @Test
        void anUnknownCapability() throws IOException {
            assertThatThrownBy(() -> fromRules("{\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\","
                    + " \"includes\": {\"caps\": [\"CAP_SYSADMIN\"]}}"))
                    .hasMessageEndingWith("syscalls[0].includes.caps[0]: unknown capability \"CAP_SYSADMIN\";"
                            + " write a name from linux/capability.h, such as CAP_SYS_ADMIN");
        }

        @Test
        void aMisspeltFieldIsNotIgnored() throws IOException {
            assertThatThrownBy(() -> fromRules("{\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\","
                    + " \"arg\": [{\"index\": 0, \"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]}"))
                    .hasMessageEndingWith("syscalls[0]: has an unknown field \"arg\"; use only action, args, comment,"
                            + " errnoRet, excludes, includes, name, names");
        }

        @Test
        void whatCannotBeEnforcedIsRefused() throws IOException {
            assertThatThrownBy(() -> fromRules("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_NOTIFY\"}"))
                    .hasMessageContaining("syscalls[0].action: SCMP_ACT_NOTIFY is not supported")
                    .hasMessageContaining("use SCMP_ACT_ERRNO to refuse the call or SCMP_ACT_LOG");
            Path flags = write("flags.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\"]}");
            assertThatThrownBy(() -> Seccomp.fromFile(flags)).hasMessageContaining("flags: seccomp filter flags are not supported");
        }

        @Test
        void valuesOutOfRange() throws IOException {
            assertThatThrownBy(() -> fromRules("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\","
                    + " \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}"))
                    .hasMessageContaining("syscalls[0].args[0].index: is 6, but system calls have arguments 0 to 5 only");
            assertThatThrownBy(() -> fromRules("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\","
                    + " \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}"))
                    .hasMessageContaining("syscalls[0].args[0].value: expected an unsigned 64-bit number, found -1")
                    .hasMessageContaining("write 4294967295");
            assertThatThrownBy(() -> fromRules("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 5000}"))
                    .hasMessageContaining("syscalls[0].errnoRet: is 5000, outside the errno range");
            assertThatThrownBy(() -> fromRules("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"errnoRet\": 1}"))
                    .hasMessageContaining("syscalls[0].errnoRet: applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE only");
            assertThatThrownBy(() -> fromRules("{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ALLOW\","
                    + " \"includes\": {\"minKernel\": \"4,8\"}}"))
                    .hasMessageContaining("syscalls[0].includes.minKernel: \"4,8\" is not a kernel version; write major.minor");
        }

        @Test
        void namesInTheWrongShape() throws IOException {
            assertThatThrownBy(() -> fromRules("{\"names\": \"read\", \"action\": \"SCMP_ACT_ALLOW\"}"))
                    .hasMessageContaining("syscalls[0].names: expected an array of strings, found the string \"read\"; write [\"read\"]");
            assertThatThrownBy(() -> fromRules("{\"action\": \"SCMP_ACT_ALLOW\"}"))
                    .hasMessageContaining("syscalls[0]: names no system call");
            assertThatThrownBy(() -> fromRules("{\"names\": [\"read\"]}"))
                    .hasMessageContaining("syscalls[0]: has no \"action\"; add one of SCMP_ACT_ALLOW");
            Path noDefault = write("nodefault.json", "{\"syscalls\": []}");
            assertThatThrownBy(() -> Seccomp.fromFile(noDefault)).hasMessageContaining("the profile: has no \"defaultAction\"");
        }

        private Seccomp fromRules(String rules) throws IOException {
            return Seccomp.fromFile(write("rules.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [" + rules + "]}"));
        }
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
