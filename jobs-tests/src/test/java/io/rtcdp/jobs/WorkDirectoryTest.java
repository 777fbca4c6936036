package io.rtcdp.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkDirectoryTest {
    @TempDir Path tmp;

    @Test
    void isMadeInItsParentForItsOwnerAlone() throws Exception {
        Path work = WorkDirectory.create(tmp.resolve("a/b"), "replay");
        assertThat(work.getParent()).isEqualTo(tmp.resolve("a/b"));
        assertThat(work.getFileName().toString()).startsWith("rtcdp-replay");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(work)))
                .isEqualTo("rwx------");
    }

    @Test
    void deletesTheWholeTreeAndNothingBeside() throws Exception {
        Path work = WorkDirectory.create(tmp, "replay");
        Files.createDirectories(work.resolve("checkpoints/chk-1/shared"));
        Files.writeString(work.resolve("checkpoints/chk-1/_metadata"), "x");
        Files.writeString(work.resolve("rocksdb.log"), "y");
        Path beside = Files.writeString(tmp.resolve("beside.txt"), "z");

        WorkDirectory.delete(work);
        assertThat(work).doesNotExist();
        assertThat(beside).exists();
        WorkDirectory.delete(work); // already gone: nothing to do
    }
}
