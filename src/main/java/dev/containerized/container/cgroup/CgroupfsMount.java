package dev.containerized.container.cgroup;

import java.util.List;

/**
 * One cgroupfs that a container's PID 1 mounts, read-only, below {@code /sys/fs/cgroup} of the
 * container, after rooting a cgroup namespace at the container's cgroup: the mount shows the container's
 * cgroup as its top, as Docker's private cgroup namespace does.
 *
 * @param directory where, relative to {@code /sys/fs/cgroup}: empty for v2's single mount on it, the
 *                  controllers for a v1 hierarchy ({@code "cpu,cpuacct"}, on a tmpfs of the container's)
 * @param fstype    {@code cgroup2} or {@code cgroup}
 * @param options   v1: the hierarchy's controllers, exactly as the host mounts them; v2: empty
 * @param aliases   v1: links to {@code directory} named after each of its controllers when there are
 *                  several ({@code cpu -> cpu,cpuacct}), as systemd and Docker make them
 */
public record CgroupfsMount(String directory, String fstype, String options, List<String> aliases) {
    public CgroupfsMount {
        aliases = List.copyOf(aliases);
    }

    static CgroupfsMount v2() {
        return new CgroupfsMount("", "cgroup2", "", List.of());
    }

    static CgroupfsMount v1(List<String> controllers) {
        String joined = String.join(",", controllers);
        return new CgroupfsMount(joined, "cgroup", joined, controllers.size() > 1 ? controllers : List.of());
    }

    @Override
    public String toString() {
        return (fstype.equals("cgroup2") ? "cgroup2" : "cgroup " + options) + " on /sys/fs/cgroup"
                + (directory.isEmpty() ? "" : "/" + directory);
    }
}
