package dev.containerized.rootfs;

/** Docker's image names in their full form, so that "app", "app:latest" and "docker.io/library/app:latest" are one name. */
final class DockerNames {
    private DockerNames() {
    }

    static String normalize(String name) {
        String n = name;
        int slash = n.indexOf('/');
        String first = slash < 0 ? "" : n.substring(0, slash);
        boolean hasRegistry = slash >= 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"));
        if (!hasRegistry) {
            n = (slash < 0 ? "docker.io/library/" : "docker.io/") + n;
        }
        String last = n.substring(n.lastIndexOf('/') + 1);
        if (!last.contains(":") && !last.contains("@")) {
            n = n + ":latest";
        }
        return n;
    }

    static boolean same(String a, String b) {
        return a.equals(b) || normalize(a).equals(normalize(b));
    }
}
