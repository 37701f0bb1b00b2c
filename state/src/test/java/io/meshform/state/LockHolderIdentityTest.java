package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A lock holder's pid is judged only where its processes can be seen. Host name and PID namespace are not enough: the
 * initial PID namespace has one inode on every Linux machine, so a runner with the same host name on another machine
 * (a VM of the same image) must not be judged gone by a pid that is free here.
 */
class LockHolderIdentityTest {
    private static final long FREE_PID = 4_000_000L; // above pid_max's ceiling: never a live process here

    private static LockInfo heldBy(String pidNamespace) {
        return new LockInfo("id", "apply", "ci@" + LocalHost.NAME, FREE_PID, Instant.now(), "", pidNamespace, List.of());
    }

    @Test
    void aHolderOfThisBootIsJudgedByItsPid() {
        assertTrue(heldBy(LocalHost.PID_NAMESPACE).holderProcessGone());
    }

    @Test
    void theSameHostNameAndNamespaceOnAnotherMachineIsNotJudged() throws Exception {
        Path bootId = Path.of("/proc/sys/kernel/random/boot_id");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(bootId), "Linux only");
        assertTrue(LocalHost.PID_NAMESPACE.contains(" boot " + Files.readString(bootId).strip()), LocalHost.PID_NAMESPACE);
        String namespaceOnly = LocalHost.PID_NAMESPACE.substring(0, LocalHost.PID_NAMESPACE.indexOf(" boot "));
        assertFalse(heldBy(namespaceOnly).holderProcessGone(), "a record without this boot's id is another machine's");
        assertFalse(heldBy(namespaceOnly + " boot 00000000-0000-0000-0000-000000000000").holderProcessGone());
    }
}
