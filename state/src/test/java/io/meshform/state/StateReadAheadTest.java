package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class StateReadAheadTest {

    private final StateCodec codec = new StateCodec();
    private final byte[] stored = codec.encode(StateSnapshot.empty("0.1.0"));

    @Test
    void theBytesTheLockedReadGotAreDecodedOnTheThreadNotByTheCaller() {
        List<String> decodedOn = new CopyOnWriteArrayList<>();
        StateReadAhead ahead = StateReadAhead.start(() -> stored.clone(), bytes -> {
            decodedOn.add(Thread.currentThread().getName());
            return codec.decode(bytes, "state file s.json");
        });
        StateSnapshot got = ahead.take(stored.clone()).orElseThrow();
        assertEquals(codec.decode(stored, "state file s.json"), got);
        assertEquals(List.of("state-read-ahead"), decodedOn, "decoded once, on the read-ahead thread");
    }

    @Test
    void bytesThatChangedSinceTheThreadReadThemAreLeftToTheCaller() {
        StateReadAhead ahead = StateReadAhead.start(() -> stored, bytes -> codec.decode(bytes, "state file s.json"));
        byte[] now = codec.encode(StateSnapshot.empty("0.2.0"));
        assertTrue(ahead.take(now).isEmpty(), "a snapshot of other bytes is never used");
    }

    @Test
    void aMissingUnreadableOrCorruptFileIsLeftToTheLockedReadToReport() {
        byte[] corrupt = "{\"format_version\": 1,".getBytes(StandardCharsets.UTF_8);
        assertTrue(StateReadAhead.start(() -> null, bytes -> codec.decode(bytes, "s")).take(stored).isEmpty());
        assertTrue(StateReadAhead.start(() -> {
            throw new StateException("could not read s.json");
        }, bytes -> codec.decode(bytes, "s")).take(stored).isEmpty());
        assertTrue(StateReadAhead.start(() -> corrupt, bytes -> codec.decode(bytes, "s")).take(corrupt).isEmpty());
        assertTrue(StateReadAhead.start(() -> stored, bytes -> {
            throw new StackOverflowError();
        }).take(stored).isEmpty(), "not even an error escapes the thread");
    }

    @Test
    void theSnapshotIsTheOneDecodedNotACopy() {
        StateSnapshot decoded = codec.decode(stored, "s");
        StateReadAhead ahead = StateReadAhead.start(() -> stored, bytes -> decoded);
        assertSame(decoded, ahead.take(stored).orElseThrow());
    }
}
