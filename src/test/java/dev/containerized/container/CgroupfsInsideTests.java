package dev.containerized.container;

import dev.containerized.container.cgroup.CgroupLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a program inside sees of its cgroup: /sys/fs/cgroup shows the container's own cgroup as its root,
 * read-only, as Docker's private cgroup namespace does (on whichever cgroup version the host runs; the
 * cgroup-v2 run in User-Mode Linux runs these too). And that it cannot make it writable or reach the
 * host's tree.
 */
class CgroupfsInsideTests {
    private static final boolean V1 = CgroupLayout.detect().version() == CgroupLayout.Version.V1;

    @AfterEach
    void nothingLeftBehind() {
        assertThat(Leaks.find()).isEmpty();
    }

    @Test
    void theContainersOwnLimitsAreReadableAtSysFsCgroup() {
        try (Container c = Container.start(ContainerSpec.builder().pidsLimit(33).memoryLimit("48m").build())) {
            if (V1) {
                assertThat(c.exec("cat", "/sys/fs/cgroup/pids/pids.max").stdout()).isEqualTo("33\n");
                assertThat(c.exec("cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes").stdout()).isEqualTo((48L << 20) + "\n");
            } else {
                assertThat(c.exec("cat", "/sys/fs/cgroup/pids.max").stdout()).isEqualTo("33\n");
                assertThat(c.exec("cat", "/sys/fs/cgroup/memory.max").stdout()).isEqualTo((48L << 20) + "\n");
            }
        }
    }

    @Test
    void mountsAndProcSelfCgroupAgreeAsContainerDetectionExpects() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            List<String> cgroupMounts = c.exec("cat", "/proc/self/mountinfo").stdout().lines()
                    .filter(l -> l.contains(" - cgroup")).toList();
            List<String> procCgroup = c.exec("cat", "/proc/self/cgroup").stdout().lines().toList();
            String mounted = String.join("\n", cgroupMounts) + "\n" + String.join("\n", procCgroup);
            // Every mount is rooted at "/" of the container's namespace: read-only, nosuid, nodev, noexec.
            assertThat(cgroupMounts).as(mounted).isNotEmpty().allSatisfy(line -> {
                String[] fields = line.split(" ");
                assertThat(fields[3]).as(line).isEqualTo("/");
                assertThat(fields[5]).as(line).startsWith("ro,nosuid,nodev,noexec");
            });
            // And every cgroup the process is in is "/", so the JDK (or Go, .NET) reads its limits at the mount point.
            assertThat(procCgroup).as(mounted).allSatisfy(line -> assertThat(line).endsWith(":/"));
            if (V1) {
                assertThat(cgroupMounts).as(mounted).hasSameSizeAs(expectedV1Mounts())
                        .allSatisfy(line -> assertThat(line).containsPattern(" /sys/fs/cgroup/[a-z,]+ .* - cgroup cgroup rw,[a-z,]+$"));
                assertThat(c.exec("ls", "/sys/fs/cgroup").stdout().lines()).containsAll(expectedV1Mounts());
                // The tmpfs that holds the mount points is read-only too.
                assertThat(c.exec("sh", "-c", "grep ' /sys/fs/cgroup ' /proc/self/mountinfo").stdout()).contains(" ro,nosuid,nodev,noexec");
            } else {
                assertThat(cgroupMounts).as(mounted).singleElement().asString().contains(" /sys/fs/cgroup ").contains(" - cgroup2 ");
                assertThat(procCgroup).containsExactly("0::/");
            }
        }
    }

    @Test
    void nothingOfTheHostsTreeIsVisible() {
        try (Container c = Container.start(ContainerSpec.builder().build())) {
            int sleep = c.execInBackground("sleep", "30").pid();
            // The container's cgroup has no child: below the mount points, no directory at all (no
            // "containerized" parent, no sibling container, no host slice).
            ExecResult dirs = c.exec("find", "/sys/fs/cgroup/", "-mindepth", V1 ? "2" : "1", "-type", "d");
            assertThat(dirs.stdout()).as(dirs.describe()).isEmpty();
            // Its processes are the container's, as its own pid namespace numbers them: PID 1, the
            // sleep, the cat that reads the file.
            String procs = c.exec("cat", V1 ? "/sys/fs/cgroup/pids/cgroup.procs" : "/sys/fs/cgroup/cgroup.procs").stdout();
            assertThat(procs.lines().map(Integer::valueOf)).as(procs).hasSize(3).contains(1, sleep).allSatisfy(pid -> assertThat(pid).isLessThan(10));
        }
    }

    /** The container cannot make its cgroupfs writable, mount another, or move out of it. */
    @Nested
    class Escapes {
        private static final String REFUSED = "(?is).*(permission denied|not permitted).*";

        @Test
        void writesAreRefusedAsReadOnly() {
            try (Container c = Container.start(ContainerSpec.builder().pidsLimit(20).build())) {
                String dir = V1 ? "/sys/fs/cgroup/pids" : "/sys/fs/cgroup";
                for (String attempt : List.of("echo 1000 > " + dir + "/pids.max", "echo $$ > " + dir + "/cgroup.procs",
                        "mkdir " + dir + "/escape", "mkdir /sys/fs/cgroup/escape")) {
                    ExecResult r = c.exec("sh", "-c", attempt);
                    assertThat(r.exitCode()).as(r.describe()).isNotZero();
                    assertThat(r.stderr()).as(r.describe()).contains("Read-only file system");
                }
                assertThat(c.exec("cat", dir + "/pids.max").stdout()).isEqualTo("20\n");
            }
        }

        @Test
        void remountingUnmountingAndMountingCgroupfsAreRefused() throws Exception {
            String hostMounts = hostCgroupMounts();
            try (Container c = Container.start(ContainerSpec.builder().pidsLimit(20).build())) {
                String dir = V1 ? "/sys/fs/cgroup/pids" : "/sys/fs/cgroup";
                for (String attempt : List.of("mount -o remount,rw " + dir, "mount -o remount,rw /sys/fs/cgroup",
                        "umount " + dir, "umount -l /sys/fs/cgroup", "mkdir -p /tmp/m && mount -t cgroup2 none /tmp/m",
                        "mkdir -p /tmp/m && mount -t cgroup -o pids none /tmp/m", "mount -t tmpfs none /sys/fs/cgroup")) {
                    ExecResult r = c.exec("sh", "-c", attempt);
                    assertThat(r.exitCode()).as(r.describe()).isNotZero();
                    assertThat(r.stderr()).as(r.describe()).matches(REFUSED);
                }
                ExecResult still = c.exec("sh", "-c", "echo 1000 > " + dir + "/pids.max");
                assertThat(still.stderr()).as(still.describe()).contains("Read-only file system");
                assertThat(c.exec("cat", dir + "/pids.max").stdout()).isEqualTo("20\n");
            }
            // The host's own cgroup mounts are as they were: writable there, the same superblock options.
            assertThat(hostCgroupMounts()).isEqualTo(hostMounts);
        }
    }

    private static List<String> expectedV1Mounts() {
        return dev.containerized.container.cgroup.ContainerCgroup.parents(CgroupLayout.detect()).stream()
                .map(parent -> String.join(",", hierarchyOf(parent))).toList();
    }

    private static List<String> hierarchyOf(java.nio.file.Path parent) {
        return CgroupLayout.detect().hierarchies().values().stream()
                .filter(h -> parent.startsWith(h.mountPoint())).findFirst().orElseThrow().controllers();
    }

    private static String hostCgroupMounts() throws java.io.IOException {
        return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains(" - cgroup")).collect(java.util.stream.Collectors.joining("\n"));
    }
}
