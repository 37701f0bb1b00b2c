package io.meshform.providers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubeTimeTest {

    @Test
    void readsTheApiServersFormLikeInstantParse() {
        for (String text : List.of("2026-12-02T09:41:00Z", "1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z",
                "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-06-30T12:00:01Z")) {
            assertEquals(Instant.parse(text), KubeTime.parse(text), text);
        }
    }

    @Test
    void otherFormsGoToInstantParse() {
        // fractional seconds, a leap second, an offset: not what the API server writes, still read as before
        for (String text : List.of("2026-12-02T09:41:00.5Z", "2026-12-31T23:59:60Z", "2026-12-02T24:00:00Z", "2026-12-02T09:41:00+01:00")) {
            assertEquals(Instant.parse(text), KubeTime.parse(text), text);
        }
    }

    @Test
    void refusesWhatInstantParseRefusesWithItsMessage() {
        for (String text : List.of("2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-02T24:00:01Z",
                "2026-12-02T09:61:00Z", "2026-12-0xT09:41:00Z", "2026-12-02 09:41:00Z", "", "yesterday")) {
            DateTimeParseException expected = assertThrows(DateTimeParseException.class, () -> Instant.parse(text), text);
            DateTimeParseException actual = assertThrows(DateTimeParseException.class, () -> KubeTime.parse(text), text);
            assertEquals(expected.getMessage(), actual.getMessage(), text);
        }
    }
}
