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
            ExecResult mountinfo = c.exec("cat", "/proc/self/mountinfo");
            List<String> cgroupMounts = mountinfo.stdout().lines().filter(l -> l.contains(" - cgroup")).toList();
            ExecResult procCgroup = c.exec("cat", "/proc/self/cgroup");
            System.out.println(String.join("\n", cgroupMounts) + "\n" + procCgroup.stdout()
                    + c.exec("ls", "-la", "/sys/fs/cgroup").stdout());
            // Every mount is rooted at "/" of the container's namespace, read-only, nosuid, nodev, noexec.
            assertThat(cgroupMounts).isNotEmpty().allSatisfy(line -> {
                String[] fields = line.split(" ");
                assertThat(fields[3]).as(line).isEqualTo("/");
                assertThat(fields[5]).as(line).startsWith("ro,nosuid,nodev,noexec");
            });
            assertThat(procCgroup.stdout().lines()).allSatisfy(line -> assertThat(line).endsWith(":/"));
        }
    }
}
