package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The stack a state records (format 2): read, written, kept by every derived snapshot and by the journal. */
class StateStackTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String FORMAT_1 = """
            {"format_version": 1, "serial": 3, "lineage": "l", "meshform_version": "0.1.0", "resources": []}
            """;

    @TempDir
    Path dir;

    private final StateCodec codec = new StateCodec();

    private static ResourceState resource(String address) {
        ObjectNode attrs = JSON.createObjectNode();
        attrs.put("value", address);
        return new ResourceState(address, "t", attrs, Map.of());
    }

    @Test
    void theStackIsWrittenReadAndKeptByDerivedSnapshots() {
        StateSnapshot s = StateSnapshot.empty("0.1.0").withStack("cortex-production");
        String text = codec.encodeToString(s.with(resource("a")));
        assertTrue(text.contains("\"format_version\": 4"), text);
        assertTrue(text.contains("\"stack\": \"cortex-production\""), text);
        StateSnapshot read = codec.decode(text.getBytes(StandardCharsets.UTF_8), "test");
        assertEquals("cortex-production", read.stack());
        assertEquals("cortex-production", read.without("a").withSerial(9).withMeshformVersion("x").with(resource("b")).stack());
    }

    @Test
    void aFormat1StateRecordsNoStackAndIsWrittenInTheCurrentFormat() {
        StateSnapshot read = codec.decode(FORMAT_1.getBytes(StandardCharsets.UTF_8), "old");
        assertNull(read.stack(), "a state from before format 2 names no stack: the first stack that writes it adopts it");
        assertEquals(3, read.serial());
        String text = codec.encodeToString(read);
        assertTrue(text.contains("\"format_version\": 4"), text);
        assertFalse(text.contains("\"stack\""), "no stack is made up: " + text);
    }

    @Test
    void aStackInAFormat1FileOrABlankOneIsRefused() {
        CorruptStateException old = assertThrows(CorruptStateException.class, () -> codec.decode(
                FORMAT_1.replace("\"serial\"", "\"stack\": \"a\", \"serial\"").getBytes(StandardCharsets.UTF_8), "f"));
        assertTrue(old.getMessage().contains("stack"), old.getMessage());
        CorruptStateException blank = assertThrows(CorruptStateException.class, () -> codec.decode(
                FORMAT_1.replace("1,", "2, \"stack\": \" \",").getBytes(StandardCharsets.UTF_8), "f"));
        assertTrue(blank.getMessage().contains("stack: expected a non-empty string"), blank.getMessage());
    }

    @Test
    void aRunThatAdoptsAFormat1StateRecordsItsStackAlsoWhenItJournals() throws IOException {
        Path file = dir.resolve("meshform.state.json");
        Files.writeString(file, FORMAT_1);
        LocalStateBackend b = new LocalStateBackend(file, true);
        StateSnapshot s = b.read().orElseThrow().withStack("demo");
        s = b.record(s.with(resource("a")));
        s = b.record(s.with(resource("b")));
        b.compact();
        StateSnapshot again = new LocalStateBackend(file, true).read().orElseThrow();
        assertEquals("demo", again.stack(), Files.readString(file));
        assertEquals(2, again.resources().size());
        assertFalse(Files.exists(b.journalFile()));
    }

    @Test
    void aCrashAfterTheFirstStepOfAnAdoptingRunKeepsTheStack() throws IOException {
        Path file = dir.resolve("meshform.state.json");
        Files.writeString(file, FORMAT_1);
        LocalStateBackend b = new LocalStateBackend(file, true);
        StateSnapshot s = b.read().orElseThrow().withStack("demo");
        s = b.record(s.with(resource("a")));
        b.record(s.with(resource("b")));
        // no compaction: the next reader replays the journal onto the file
        StateSnapshot replayed = new LocalStateBackend(file, true).read().orElseThrow();
        assertEquals("demo", replayed.stack());
        assertEquals(2, replayed.resources().size());
    }
}
