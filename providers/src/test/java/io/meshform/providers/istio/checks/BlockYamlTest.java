package io.meshform.providers.istio.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.load.YamlDocument;
import io.meshform.engine.load.YamlReader;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The YAML meshform hands istioctl reads back as the same tree (with every scalar YAML 1.1 or 1.2 could take for
 * another type), and puts every field on the line Jackson's YAML writer put it on, so istioctl's line references
 * keep pointing at the same fields.
 */
class BlockYamlTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Strings a plain YAML scalar would read as something else, or could not hold. */
    private static final List<String> AWKWARD = List.of("yes", "no", "on", "off", "y", "n", "Y", "NO", "null", "Null", "~",
            "true", "False", "1", "-1", "1.0", "0x1F", "0o17", "017", "1e3", ".inf", "-.Inf", ".nan", "1_000", "12:30:00",
            "2026-12-02", "-", "- a", "? x", ": b", "a: b", "#c", "a #c", "", " lead", "trail ", "multi\nline\n", "tab\there",
            "quote\"d", "back\\slash", "sl/ash", "unicode é ☃ 𝄞", "\u0001\u001f\u007f", "*alias", "&anchor", "!tag", "%dir",
            "@at", "`tick", "{a: 1}", "[b]", "'single'", "|", ">", "---", "...", "=", "<<");

    @Test
    void awkwardStringsNumbersAndEmptiesReadBackUnchanged() {
        ObjectNode root = NODES.objectNode();
        ArrayNode values = root.putArray("values");
        ObjectNode keyed = root.putObject("keyed");
        for (int i = 0; i < AWKWARD.size(); i++) {
            values.add(AWKWARD.get(i));
            if (!AWKWARD.get(i).equals("<<")) { // meshform's reader refuses a "<<" key quoted or not (stacks never have one)
                keyed.put(AWKWARD.get(i), i);
            }
        }
        ObjectNode scalars = root.putObject("scalars");
        scalars.put("zero", 0).put("negative", -17).put("fraction", 1.5).put("huge", 1e300).put("yes", true).put("no", false)
                .putNull("nothing");
        scalars.put("long", 1234567890123456789L).put("big", new java.math.BigInteger("123456789012345678901234567890"));
        scalars.putObject("emptyObject");
        scalars.putArray("emptyArray");
        ArrayNode nested = root.putArray("nested");
        nested.addArray().add(1).addArray().add("x");
        nested.addObject();
        nested.addArray();
        nested.addObject().put("a", "b").putArray("c").addObject().put("d", "e").put("f", "g");
        nested.addNull();

        String yaml = BlockYaml.write(root);

        assertEquals(root, new YAMLMapper().readTree(yaml), yaml);
        // meshform's own reader (which maps istioctl's lines back to fields) reads the strings the same; it reads
        // numbers into its own node types (1e300 as a decimal), so they are compared as JSON text
        JsonNode read = new YamlReader().parse("objects.yaml", yaml).root();
        for (String part : List.of("values", "keyed", "nested")) {
            assertEquals(root.get(part).toString(), read.get(part).toString(), yaml);
        }
    }

    @Test
    void everyFieldIsOnTheLineJacksonsYamlWriterPutItOn() {
        JsonNode policy = JSON.readTree("""
                {"apiVersion": "security.istio.io/v1", "kind": "AuthorizationPolicy",
                 "metadata": {"name": "ingress-auth", "namespace": "istio-system",
                              "labels": {"app.kubernetes.io/managed-by": "meshform"}, "annotations": {}},
                 "spec": {"selector": {"matchLabels": {"istio": "ingressgateway"}}, "action": "CUSTOM",
                          "provider": {"name": "cortex-auth-proxy"},
                          "rules": [{"to": [{"operation": {"paths": ["/api/*", "/ui/*"], "notPaths": []}}]},
                                    {"from": [{"source": {"notPrincipals": ["*"]}}], "when": [{"key": "request.headers[x]",
                                     "values": ["a", "b"]}]}],
                          "nested": [[1, 2], [], [{"k": "v"}]]}}
                """);
        YamlReader reader = new YamlReader();
        YamlDocument ours = reader.parse("objects.yaml", BlockYaml.write(policy));
        YamlDocument jacksons = reader.parse("objects.yaml", new YAMLMapper().writeValueAsString(policy));
        Map<String, Integer> ourLines = new TreeMap<>();
        Map<String, Integer> theirLines = new TreeMap<>();
        ours.positions().forEach((pointer, range) -> ourLines.put(pointer, range.line() + 1)); // Jackson's begins "---"
        jacksons.positions().forEach((pointer, range) -> theirLines.put(pointer, range.line()));
        assertEquals(theirLines, ourLines);
    }

    @Test
    void aScalarRootIsOneLine() {
        assertEquals("\"text\"\n", BlockYaml.write(NODES.stringNode("text")));
        assertEquals("{}\n", BlockYaml.write(NODES.objectNode()));
        assertEquals("[]\n", BlockYaml.write(NODES.arrayNode()));
    }
}
