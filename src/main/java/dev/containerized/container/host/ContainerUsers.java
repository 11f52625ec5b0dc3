package dev.containerized.container.host;

import dev.containerized.container.ContainerException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code docker exec --user} for a container: {@code name}, {@code uid}, {@code name:group} or
 * {@code uid:gid}, names looked up in the container's own /etc/passwd and /etc/group, as runc does: a
 * user found there gets its primary group and every group that lists it; a bare uid not found there
 * runs with gid 0.
 */
public final class ContainerUsers {
    /**
     * A resolved identity: what setresuid/setresgid/setgroups get, and the home directory its commands'
     * HOME defaults to (its /etc/passwd entry's, else "/", as runc sets it).
     */
    public record Identity(int uid, int gid, List<Integer> groups, String home) {
    }

    private final ContainerFiles files;
    private final String id;

    ContainerUsers(ContainerFiles files, String id) {
        this.files = files;
        this.id = id;
    }

    Identity resolve(String spec) {
        String userPart = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        Optional<String> groupPart = spec.contains(":") ? Optional.of(spec.substring(spec.indexOf(':') + 1)) : Optional.empty();
        List<String[]> passwd = entries("/etc/passwd");
        Optional<String[]> user = passwd.stream().filter(e -> e.length > 3 && (e[0].equals(userPart) || e[2].equals(userPart))).findFirst();
        int uid;
        int gid;
        String home = user.filter(e -> e.length > 5 && !e[5].isEmpty()).map(e -> e[5]).orElse("/");
        if (user.isPresent()) {
            uid = number(user.get()[2], "/etc/passwd", spec);
            gid = number(user.get()[3], "/etc/passwd", spec);
        } else if (isNumber(userPart)) {
            uid = Integer.parseInt(userPart);
            gid = 0;
        } else {
            throw new ContainerException("unable to find user " + userPart + " in container " + id
                    + ": no matching entry in its /etc/passwd; give a uid such as \"1000\", or use a rootfs that has the user");
        }
        Set<Integer> groups = new LinkedHashSet<>();
        List<String[]> groupFile = groupPart.isPresent() || user.isPresent() ? entries("/etc/group") : List.of();
        if (groupPart.isPresent()) {
            String group = groupPart.get();
            Optional<String[]> found = groupFile.stream().filter(e -> e.length > 2 && (e[0].equals(group) || e[2].equals(group))).findFirst();
            if (found.isPresent()) {
                gid = number(found.get()[2], "/etc/group", spec);
            } else if (isNumber(group)) {
                gid = Integer.parseInt(group);
            } else {
                throw new ContainerException("unable to find group " + group + " in container " + id
                        + ": no matching entry in its /etc/group; give a gid such as \"1000\"");
            }
        } else if (user.isPresent()) {
            for (String[] e : groupFile) {
                if (e.length > 3 && List.of(e[3].split(",")).contains(user.get()[0])) {
                    groups.add(number(e[2], "/etc/group", spec));
                }
            }
        }
        groups.add(gid);
        return new Identity(uid, gid, new ArrayList<>(groups), home);
    }

    /** The colon-separated lines of a file in the container; none when it has no such file. */
    private List<String[]> entries(String path) {
        byte[] bytes;
        try {
            bytes = files.read(path);
        } catch (ContainerException absent) {
            return List.of();
        }
        List<String[]> entries = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                entries.add(line.split(":", -1));
            }
        }
        return entries;
    }

    private int number(String text, String file, String spec) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new ContainerException("cannot resolve user \"" + spec + "\" in container " + id + ": " + file
                    + " has the id \"" + text + "\", which is not a number");
        }
    }

    private static boolean isNumber(String text) {
        return !text.isEmpty() && text.chars().allMatch(Character::isDigit) && text.length() < 10;
    }
}
