package dev.containerized.rootfs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The built-in rootfs: built from the host, cached, rebuilt when the recipe changes. */
class DefaultRootfsTests {
    @Test
    void theBuiltTreeHasAShellBashAndTheMountPoints() {
        Path rootfs = DefaultRootfs.path();
        assertThat(rootfs.resolve("bin/sh")).exists();
        assertThat(rootfs.resolve("bin/bash")).isRegularFile().isExecutable();
        for (String dir : new String[] {"proc", "sys", "dev", "tmp", "etc", "root"}) {
            assertThat(rootfs.resolve(dir)).isDirectory();
        }
        assertThat(rootfs.resolve("etc/passwd")).content().startsWith("root:x:0:0:");
        assertThat(DefaultRootfs.path()).as("cached: the same tree again").isEqualTo(rootfs);
    }

    @Test
    void aChangedRecipeGetsADifferentTree() {
        Recipe recipe = Recipe.parse(DefaultRootfs.readRecipe());
        Recipe changed = Recipe.parse(DefaultRootfs.readRecipe() + "\ndir /opt\n");
        assertThat(DefaultRootfs.fingerprint(changed)).isNotEqualTo(DefaultRootfs.fingerprint(recipe));
        assertThat(DefaultRootfs.fingerprint(recipe)).isEqualTo(DefaultRootfs.fingerprint(recipe));
    }

    @Test
    void aRecipeWithoutBusyboxCopiesProgramsWithTheirLibraries(@TempDir Path dir) throws Exception {
        Recipe recipe = Recipe.parse("busybox /no/such/busybox\nprogram bash\nfallback sh ls\ndir /proc\nfile /etc/hostname box\n");
        RootfsBuilder.build(recipe, dir);
        assertThat(dir.resolve("bin/ls")).isRegularFile();
        assertThat(dir.resolve("bin/sh")).isRegularFile();
        assertThat(dir.resolve("etc/hostname")).hasContent("box");
        assertThat(RootfsBuilder.sharedLibraries(Path.of("/bin/ls")))
                .allSatisfy(lib -> assertThat(dir.resolve(lib.toString().substring(1))).exists());
    }

    @Test
    void staticBinariesAreToldFromDynamicOnes() {
        assertThat(RootfsBuilder.isStaticElf(Path.of("/bin/ls"))).isFalse();
        RootfsBuilder.staticBusybox(Recipe.parse("busybox /bin/busybox\n"))
                .ifPresent(busybox -> assertThat(RootfsBuilder.isStaticElf(busybox)).isTrue());
        assertThat(RootfsBuilder.isStaticElf(Path.of("/etc/passwd"))).isFalse();
    }

    @Test
    void aBadRecipeLineIsNamed() {
        assertThatThrownBy(() -> Recipe.parse("dir /x\ncopy /y\n"))
                .hasMessageContaining("line 2").hasMessageContaining("unknown directive 'copy'");
    }

    @Test
    void aMissingHostProgramIsNamedWithTheFix(@TempDir Path dir) {
        Recipe recipe = Recipe.parse("program no-such-host-program\n");
        assertThatThrownBy(() -> RootfsBuilder.build(recipe, dir))
                .hasMessageContaining("'no-such-host-program'").hasMessageContaining("busybox-static");
        assertThat(Files.exists(dir.resolve("bin/no-such-host-program"))).isFalse();
    }
}
