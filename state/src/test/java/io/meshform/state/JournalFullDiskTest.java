package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A disk that fills up while an apply records its steps: the append that fails has written part of its record, and
 * the disk may have room again for the next step's record (another program freed some) while the final whole write
 * of the state still fails. The journal must stay readable, with every step whose record was written.
 */
class JournalFullDiskTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final StateCodec codec = new StateCodec();

    @TempDir
    Path dir;

    private static ResourceState resource(String address) {
        ObjectNode attrs = JSON.createObjectNode();
        attrs.put("value", address.repeat(50));
        return new ResourceState(address, "t", attrs, Map.of());
    }

    private List<String> replayed(StateSnapshot base, Path journal) throws IOException {
        return StateJournal.replay(base, Files.readAllBytes(journal), "journal", codec).state().resources().stream()
                .map(ResourceState::address).toList();
    }

    @Test
    void aRecordCutShortByAFullDiskIsCutOffSoLaterRecordsStayReadable() throws IOException {
        Path journal = dir.resolve("meshform.state.json.journal");
        StateSnapshot base = StateSnapshot.empty("0.1.0").withSerial(1);
        FullDiskChannel[] disk = new FullDiskChannel[1];
        try (StateJournal.Writer w = StateJournal.Writer.create(journal, base, codec,
                ch -> disk[0] = new FullDiskChannel(ch, 37))) {
            StateSnapshot s = base.with(resource("a"));
            w.append(s);
            disk[0].full = true;
            StateSnapshot withB = s.with(resource("b"));
            IOException e = assertThrows(IOException.class, () -> w.append(withB));
            assertTrue(e.getMessage().contains("No space left"), e.getMessage());
            disk[0].full = false;  // room again: the steps still running record theirs
            w.append(withB.with(resource("c")));
            w.append(withB.with(resource("c")).with(resource("d")));
        }
        assertEquals(List.of("a", "b", "c", "d"), replayed(base, journal),
                "every step is read back; b's record came with c's, as the writer's view had not taken it");
    }

    @Test
    void aPartThatCannotBeCutOffIsTheLastLineNothingFollowsIt() throws IOException {
        Path journal = dir.resolve("meshform.state.json.journal");
        StateSnapshot base = StateSnapshot.empty("0.1.0").withSerial(1);
        FullDiskChannel[] disk = new FullDiskChannel[1];
        try (StateJournal.Writer w = StateJournal.Writer.create(journal, base, codec,
                ch -> disk[0] = new FullDiskChannel(ch, 37))) {
            StateSnapshot s = base.with(resource("a"));
            w.append(s);
            disk[0].full = true;
            disk[0].truncateFails = true;
            assertThrows(IOException.class, () -> w.append(s.with(resource("b"))));
            disk[0].full = false;
            IOException e = assertThrows(IOException.class, () -> w.append(s.with(resource("c"))));
            assertTrue(e.getMessage().contains("could not be written whole"), e.getMessage());
        }
        assertEquals(List.of("a"), replayed(base, journal), "the part is the last line, ignored as cut short");
    }
}
