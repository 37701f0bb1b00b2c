package io.meshform.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Golden files: each {@code roundtrip/NAME.in.json} (any format meshform reads) must decode and encode to exactly
 * {@code NAME.out.json}. Run with {@code -Dmeshform.accept=true} to rewrite the .out files after a deliberate
 * format change, then review the diff.
 */
class StateCodecTest {

    private static final Path ROUNDTRIP = Path.of("src/test/resources/roundtrip");
    private final StateCodec codec = new StateCodec();

    static Stream<String> goldenCases() throws IOException {
        try (Stream<Path> files = Files.list(ROUNDTRIP)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".in.json"))
                    .map(n -> n.substring(0, n.length() - ".in.json".length()))
                    .sorted()
                    .toList();
            assertFalse(names.isEmpty(), "no golden files under " + ROUNDTRIP.toAbsolutePath());
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCases")
    void goldenFileRoundTrips(String name) throws IOException {
        byte[] in = Files.readAllBytes(ROUNDTRIP.resolve(name + ".in.json"));
        Path outFile = ROUNDTRIP.resolve(name + ".out.json");
        String actual = codec.encodeToString(codec.decode(in, name + ".in.json"));
        if (Boolean.getBoolean("meshform.accept")) {
            Files.writeString(outFile, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(outFile, StandardCharsets.UTF_8), actual);
        // the current format is a fixed point: reading what we wrote writes it again byte for byte
        assertEquals(actual, codec.encodeToString(codec.decode(actual.getBytes(StandardCharsets.UTF_8), "out")));
    }

    /** creating came with format 3: a format 2 file that lists it, or a list with an address twice, is not a state. */
    @Test
    void creatingInAFormat2FileOrWithAnAddressTwiceIsRefused() {
        String v2 = "{\"format_version\": 2, \"serial\": 1, \"lineage\": \"l\", \"meshform_version\": \"0.1.0\","
                + " \"creating\": [\"a\"], \"resources\": []}";
        CorruptStateException old = org.junit.jupiter.api.Assertions.assertThrows(CorruptStateException.class,
                () -> codec.decode(v2.getBytes(StandardCharsets.UTF_8), "f"));
        org.junit.jupiter.api.Assertions.assertTrue(old.getMessage().contains("creating: unknown key in format 2"), old.getMessage());
        String twice = v2.replace("2,", "3,").replace("[\"a\"]", "[\"a\", \"a\"]");
        CorruptStateException dup = org.junit.jupiter.api.Assertions.assertThrows(CorruptStateException.class,
                () -> codec.decode(twice.getBytes(StandardCharsets.UTF_8), "f"));
        org.junit.jupiter.api.Assertions.assertTrue(dup.getMessage().contains("creating[1]: \"a\" appears twice"), dup.getMessage());
    }

    /** deposed came with format 4: a format 3 file that lists it, or one object listed twice, is not a state. */
    @Test
    void deposedInAFormat3FileOrListedTwiceIsRefused() {
        String entry = "{\"address\": \"a.b.c\", \"key\": \"0badcafe\", \"type\": \"t\", \"attributes\": {}}";
        String v3 = "{\"format_version\": 3, \"serial\": 1, \"lineage\": \"l\", \"meshform_version\": \"0.1.0\","
                + " \"resources\": [], \"deposed\": [" + entry + "]}";
        CorruptStateException old = org.junit.jupiter.api.Assertions.assertThrows(CorruptStateException.class,
                () -> codec.decode(v3.getBytes(StandardCharsets.UTF_8), "f"));
        org.junit.jupiter.api.Assertions.assertTrue(old.getMessage().contains("deposed: unknown key in format 3"), old.getMessage());
        String twice = v3.replace("3,", "4,").replace(entry, entry + ", " + entry);
        CorruptStateException dup = org.junit.jupiter.api.Assertions.assertThrows(CorruptStateException.class,
                () -> codec.decode(twice.getBytes(StandardCharsets.UTF_8), "f"));
        org.junit.jupiter.api.Assertions.assertTrue(dup.getMessage().contains("deposed[1]: a.b.c (deposed object 0badcafe) appears twice"),
                dup.getMessage());
        String badKey = v3.replace("3,", "4,").replace("0badcafe", "nothex!!");
        CorruptStateException key = org.junit.jupiter.api.Assertions.assertThrows(CorruptStateException.class,
                () -> codec.decode(badKey.getBytes(StandardCharsets.UTF_8), "f"));
        org.junit.jupiter.api.Assertions.assertTrue(key.getMessage().contains("deposed[0].key: expected 8 lowercase hex digits"),
                key.getMessage());
    }

    @Test
    void encodingIsStableWhateverTheKeyOrderOfAttributes() {
        JsonMapper json = JsonMapper.builder().build();
        ObjectNode a = json.createObjectNode();
        a.put("z", 1).put("a", 2).putObject("m").put("y", true).put("b", false);
        ObjectNode b = json.createObjectNode();
        b.putObject("m").put("b", false).put("y", true);
        b.put("a", 2).put("z", 1);
        StateSnapshot base = StateSnapshot.empty("0.1.0");
        String ea = codec.encodeToString(base.with(new ResourceState("r", "t", a, Map.of("k2", "v", "k1", "v"))));
        String eb = codec.encodeToString(base.with(new ResourceState("r", "t", b, Map.of("k1", "v", "k2", "v"))));
        assertEquals(ea, eb);
        assertTrue(ea.indexOf("\"a\"") < ea.indexOf("\"z\""), ea);
    }

    @Test
    void syntaxErrorNamesLineAndColumn() {
        String text = "{\n  \"format_version\": 1,\n  \"serial\": 2\n  \"lineage\": \"x\"\n}\n";
        CorruptStateException e = assertThrows(CorruptStateException.class,
                () -> codec.decode(text.getBytes(StandardCharsets.UTF_8), "state file s.json"));
        assertTrue(e.problem().startsWith("not valid JSON at line 4, column 3"), e.problem());
        assertTrue(e.getMessage().startsWith("state file s.json is not a valid meshform state: "), e.getMessage());
    }

    @Test
    void aSavedPlanIsNamedAsOneNotAsAStateOfAnOlderFormat() {
        String plan = "{\"format_version\": 1, \"stack\": {\"name\": \"s\", \"digest\": \"sha256:00\"},"
                + " \"prior_state\": {\"lineage\": \"l\", \"serial\": 3}, \"resource_changes\": []}";
        CorruptStateException e = assertThrows(CorruptStateException.class,
                () -> codec.decode(plan.getBytes(StandardCharsets.UTF_8), "prod.plan"));
        assertTrue(e.problem().startsWith("it is a saved meshform plan"), e.problem());
        assertFalse(e.getMessage().contains("format_version\": 2"), e.getMessage());
    }

    @Test
    void aFileThatIsNoJsonIsNotQuoted() {
        // `state push TOKENFILE`: the error names where, never what the file holds
        CorruptStateException e = assertThrows(CorruptStateException.class,
                () -> codec.decode("ghp_S3cretTokenValue0123".getBytes(StandardCharsets.UTF_8), "t"));
        assertTrue(e.problem().startsWith("not valid JSON at line 1, column "), e.problem());
        assertTrue(!e.getMessage().contains("S3cret"), e.getMessage());
    }

    @Test
    void wrongShapesAreNamedByPath() {
        assertProblem("[]", "expected a JSON object at the top, found an array");
        assertProblem("{\"serial\":1}", "format_version is missing");
        assertProblem(doc("\"serial\": \"3\""), "serial: expected a whole number, found string \"3\"");
        assertProblem(doc("\"serial\": 1, \"resources\": [{\"address\": \"a\", \"type\": \"t\", \"attributes\": []}]"),
                "resources[0].attributes: expected an object, found an array");
        assertProblem(doc("\"serial\": 1, \"resources\": [{\"address\": \"a\", \"type\": \"t\", \"atributes\": {}}]"),
                "resources[0].atributes: unknown key");
        assertProblem(doc("\"serial\": 1, \"resources\": [{\"address\": \"a\", \"type\": \"t\", \"attributes\": {},"
                + " \"metadata\": {\"uid\": 5}}]"), "resources[0].metadata.uid: expected a string, found number 5");
        assertProblem("{\"version\": 0, \"serial\": 1, \"lineage\": \"l\", \"meshform_version\": \"0\", "
                + "\"resources\": []}", "resources: format 0 keeps resources in an object keyed by address");
    }

    @Test
    void formatWithoutUpgradeIsRefused() {
        StateCodec noUpgrades = new StateCodec(List.of());
        CorruptStateException e = assertThrows(CorruptStateException.class, () -> noUpgrades.decode(
                "{\"version\":0,\"serial\":1,\"lineage\":\"l\",\"meshform_version\":\"0\",\"resources\":{}}"
                        .getBytes(StandardCharsets.UTF_8), "s"));
        assertTrue(e.problem().contains("format 0 is no longer supported"), e.problem());
    }

    private static String doc(String serialAndMore) {
        String s = "{\"format_version\": 1, \"lineage\": \"l\", \"meshform_version\": \"0.1.0\", " + serialAndMore;
        return serialAndMore.contains("resources") ? s + "}" : s + ", \"resources\": []}";
    }

    private void assertProblem(String text, String expected) {
        CorruptStateException e = assertThrows(CorruptStateException.class,
                () -> codec.decode(text.getBytes(StandardCharsets.UTF_8), "s"));
        assertTrue(e.problem().startsWith(expected), "expected <" + expected + "> but was <" + e.problem() + ">");
    }
}
