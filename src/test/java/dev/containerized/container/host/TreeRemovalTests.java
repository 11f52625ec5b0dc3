package dev.containerized.container.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deleting a state directory through descriptors. Trees nested past PATH_MAX are made by a container in
 * EscapeTests (WhatTheContainerLeavesBehindIsRemoved); here, what a path-based walk also got right must
 * stay right: links are removed, never followed; odd names and closed directories go too.
 */
class TreeRemovalTests {
    @TempDir
    Path dir;

    @Test
    void aLinkToADirectoryOutsideIsRemovedAndWhatItPointsAtStays() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path kept = Files.writeString(outside.resolve("kept"), "kept");
        Path root = Files.createDirectories(dir.resolve("state/upper/etc"));
        Files.createSymbolicLink(root.resolve("link"), outside);
        Files.createSymbolicLink(root.resolve("dangling"), dir.resolve("nothing"));
        TreeRemoval.delete(dir.resolve("state"));
        assertThat(dir.resolve("state")).doesNotExist();
        assertThat(kept).hasContent("kept");
    }

    @Test
    void namesThatAreNoTextClosedDirectoriesAndFifos() throws Exception {
        Path root = Files.createDirectories(dir.resolve("state"));
        Process made = new ProcessBuilder("sh", "-c", "cd '" + root + "' && touch \"$(printf '\\377\\376 not text')\" && mkfifo fifo"
                + " && mkdir -p closed/inside && touch closed/inside/file && chmod 000 closed/inside closed").inheritIO().start();
        assertThat(made.waitFor()).isZero();
        try (var entries = Files.list(root)) {
            assertThat(entries).hasSize(3);
        }
        TreeRemoval.delete(root);
        assertThat(root).doesNotExist();
    }

    @Test
    void aMissingRootAFileAndAnEmptyDirectory() throws Exception {
        TreeRemoval.delete(dir.resolve("missing"));
        Path file = Files.writeString(dir.resolve("file"), "x");
        TreeRemoval.delete(file);
        assertThat(file).doesNotExist();
        Path empty = Files.createDirectory(dir.resolve("empty"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("---------")));
        TreeRemoval.delete(empty);
        assertThat(empty).doesNotExist();
    }

    @Test
    void aWideDirectoryOfManySubdirectories() throws Exception {
        Path root = Files.createDirectories(dir.resolve("wide"));
        for (int i = 0; i < 2000; i++) {
            Files.createDirectories(root.resolve("d" + i).resolve("sub"));
            Files.writeString(root.resolve("f" + i), "");
        }
        TreeRemoval.delete(root);
        assertThat(root).doesNotExist();
    }
}
