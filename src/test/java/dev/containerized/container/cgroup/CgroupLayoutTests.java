package dev.containerized.container.cgroup;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Layout detection against mountinfo and /proc/self/cgroup files of real kinds of hosts. */
class CgroupLayoutTests {
    @Test
    void aHybridHostUsesItsV1ControllersAndIgnoresTheEmptyCgroup2() {
        CgroupLayout layout = sample("hybrid");
        assertThat(layout.version()).isEqualTo(CgroupLayout.Version.V1);
        assertThat(layout.hierarchies().get("pids").ownCgroup()).isEqualTo(Path.of("/sys/fs/cgroup/pids"));
        assertThat(layout.hierarchies().get("memory").ownCgroup())
                .isEqualTo(Path.of("/sys/fs/cgroup/memory/process_api/7cd051425b8cd6f4d81f0f65940f80f7"));
        // The cpu hierarchy too (for the CPU limits and the cgroupfs inside); cpuacct and cpuset are not mounted here.
        assertThat(ContainerCgroup.parents(layout)).containsExactly(Path.of("/sys/fs/cgroup/pids/containerized"),
                Path.of("/sys/fs/cgroup/memory/process_api/7cd051425b8cd6f4d81f0f65940f80f7/containerized"),
                Path.of("/sys/fs/cgroup/cpu/containerized"));
        assertThat(layout.hierarchies()).doesNotContainKeys("cpuacct", "cpuset");
    }

    @Test
    void coMountedV1ControllersShareOneHierarchyAndOneCgroup() {
        CgroupLayout layout = sample("v1");
        CgroupLayout.Hierarchy cpu = layout.hierarchies().get("cpu");
        assertThat(cpu).isEqualTo(layout.hierarchies().get("cpuacct"));
        assertThat(cpu.controllers()).containsExactly("cpu", "cpuacct");
        assertThat(cpu.ownCgroup()).isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct/user.slice"));
        assertThat(ContainerCgroup.parents(layout)).containsExactly(
                Path.of("/sys/fs/cgroup/pids/user.slice/user-1000.slice/session-2.scope/containerized"),
                Path.of("/sys/fs/cgroup/memory/user.slice/user-1000.slice/session-2.scope/containerized"),
                Path.of("/sys/fs/cgroup/cpu,cpuacct/user.slice/containerized"));
        // Inside, one mount of the pair, as the host mounts it, and a link per controller.
        assertThat(CgroupV1.hierarchies(layout).stream().map(h -> CgroupfsMount.v1(h.controllers())).toList())
                .containsExactly(new CgroupfsMount("pids", "cgroup", "pids", java.util.List.of()),
                        new CgroupfsMount("memory", "cgroup", "memory", java.util.List.of()),
                        new CgroupfsMount("cpu,cpuacct", "cgroup", "cpu,cpuacct", java.util.List.of("cpu", "cpuacct")));
    }

    @Test
    void aV1HostFindsEachControllersOwnCgroup() {
        CgroupLayout layout = sample("v1");
        assertThat(layout.version()).isEqualTo(CgroupLayout.Version.V1);
        assertThat(layout.hierarchies().get("pids").mountPoint()).isEqualTo(Path.of("/sys/fs/cgroup/pids"));
        assertThat(layout.hierarchies().get("memory").ownCgroup())
                .isEqualTo(Path.of("/sys/fs/cgroup/memory/user.slice/user-1000.slice/session-2.scope"));
        assertThat(layout.hierarchies().get("memory").isRoot()).isFalse();
    }

    @Test
    void aV2HostUsesTheUnifiedHierarchy() {
        CgroupLayout layout = sample("v2");
        assertThat(layout.version()).isEqualTo(CgroupLayout.Version.V2);
        CgroupLayout.Hierarchy unified = layout.hierarchies().get(CgroupLayout.UNIFIED);
        assertThat(unified.mountPoint()).isEqualTo(Path.of("/sys/fs/cgroup"));
        assertThat(unified.ownCgroup()).isEqualTo(Path.of("/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope"));
        // Our cgroups go at the top, away from the JVM's cgroup, which holds processes.
        assertThat(ContainerCgroup.parents(layout)).containsExactly(Path.of("/sys/fs/cgroup/containerized"));
    }

    @Test
    void aNestedV2ContainerWithItsOwnCgroupNamespaceSeesItselfAtTheTop() {
        CgroupLayout layout = sample("nested-v2");
        assertThat(layout.version()).isEqualTo(CgroupLayout.Version.V2);
        CgroupLayout.Hierarchy unified = layout.hierarchies().get(CgroupLayout.UNIFIED);
        assertThat(unified.ownCgroup()).isEqualTo(Path.of("/sys/fs/cgroup"));
        assertThat(unified.isRoot()).isTrue();
    }

    @Test
    void aMountOfASubtreeIsResolvedBelowItsRoot() {
        CgroupLayout layout = sample("v2-subtree");
        assertThat(layout.hierarchies().get(CgroupLayout.UNIFIED).ownCgroup()).isEqualTo(Path.of("/sys/fs/cgroup/runner"));
    }

    @Test
    void noUsableHierarchyIsAClearError() {
        assertThatThrownBy(() -> CgroupLayout.parse("25 0 8:1 / / rw - ext4 /dev/sda1 rw\n", "0::/\n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no cgroup hierarchy with the pids and memory controllers");
    }

    @Test
    void escapedMountPointsAreDecoded() {
        CgroupLayout layout = CgroupLayout.parse(
                "41 31 0:38 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw\n", "0::/a\n");
        assertThat(layout.hierarchies().get(CgroupLayout.UNIFIED).ownCgroup()).isEqualTo(Path.of("/sys/fs/my cgroup/a"));
    }

    @Test
    void thisHostIsDetected() {
        CgroupLayout layout = CgroupLayout.detect();
        assertThat(layout.hierarchies()).isNotEmpty();
        layout.hierarchies().values().forEach(h -> assertThat(h.ownCgroup()).startsWith(h.mountPoint()).isDirectory());
    }

    private static CgroupLayout sample(String name) {
        return CgroupLayout.parse(read(name + ".mountinfo"), read(name + ".cgroup"));
    }

    private static String read(String resource) {
        try (InputStream in = CgroupLayoutTests.class.getResourceAsStream("/cgroup-samples/" + resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
