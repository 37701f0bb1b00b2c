package io.meshform.engine.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * istioctl's messages about an input that held a sensitive value show no part of it. Each message below is what
 * istioctl 1.30.3 answered ({@code istioctl manifest generate -f iop.yaml}, or {@code istioctl validate -f}) for an
 * IstioOperator or object with the value shown at the field named.
 */
class SensitiveMessageTest {
    private static SensitiveMessage replicaCount(String value) {
        ObjectNode spec = JsonNodeFactory.instance.objectNode();
        spec.putObject("values").putObject("pilot").put("replicaCount", value);
        spec.put("profile", "default");
        return SensitiveMessage.of(spec, Set.of("/values/pilot/replicaCount"));
    }

    private static void assertWithheld(String value, String istioctl, String why) {
        String out = replicaCount(value).redact("istioctl", istioctl);
        // What istioctl said before the error stays; the error and what follows it do not.
        assertTrue(out.startsWith(istioctl.substring(0, istioctl.indexOf("invalid character ")))
                && out.contains("values.pilot.replicaCount (a sensitive value, not shown): istioctl could not read a value"
                + " as JSON"), out);
        assertTrue(out.contains(why) && out.contains("Give the field a value of the type Istio expects"), out);
        assertFalse(out.matches("(?s).*'[^'\\s]{1,4}'.*"), out);  // no quoted character
        assertFalse(out.contains("literal"), out);
    }

    @Test
    void aJsonSyntaxErrorNamingACharacterOfTheValueIsWithheldAndNamesTheField() {
        String prefix = "Error: could not unmarshal: error unmarshaling JSON: while decoding JSON: ";
        String holds = "it quotes a character that this field's value holds";
        assertWithheld("S3cr3tToken-xyz", prefix + "invalid character 'S' looking for beginning of value", holds);
        assertWithheld("3S3cr3t", prefix + "invalid character 'S' after top-level value", holds);
        assertWithheld("tru3tok", prefix + "invalid character '3' in literal true (expecting 'e')", holds);
        assertWithheld("12x3S", prefix + "invalid character 'x' after top-level value", holds);
        // "\"quoted\"" is parsed as its JSON-escaped form: the backslash is the value's, quoted.
        assertWithheld("\"quoted\"", prefix + "invalid character '\\\\' looking for beginning of value", holds);
        // "install" quotes the same after "generate config:"; meshConfig's proto fields say it twice on one line.
        assertWithheld("S3cr3tToken", "Error: generate config: could not unmarshal: error unmarshaling JSON: while decoding"
                + " JSON: invalid character 'S' looking for beginning of value", holds);
        assertWithheld("S3cr3tToken", "Error: failed to convert to proto. invalid character 'S' looking for beginning of"
                + " value, failed to convert to proto. invalid character 'S' looking for beginning of value", holds);
    }

    @Test
    void theValuesEndNamesNoCharacterButTellsHowItBegins() {
        String prefix = "Error: could not unmarshal: error unmarshaling JSON: while decoding JSON: ";
        // "fals": the character is the blank after the value; the message spells the whole value out as a literal.
        assertWithheld("fals", prefix + "invalid character ' ' in literal false (expecting 'e')",
                "it may tell how this field's value begins");
        assertWithheld("-1.5e", prefix + "invalid character ' ' in numeric literal", "it may tell how this field's value begins");
    }

    @Test
    void aSyntaxErrorAboutAnotherValueIsShownAsItIs() {
        String msg = "Error: could not unmarshal: error unmarshaling JSON: while decoding JSON: invalid character 'q'"
                + " looking for beginning of value";
        assertEquals(msg, replicaCount("S3cr3tToken").redact("istioctl", msg));
        String noValue = "Error: could not unmarshal: json: cannot unmarshal string into Go struct field"
                + " KubernetesResources.spec.components.pilot.k8s.replicaCount of type uint32";
        assertEquals(noValue, replicaCount("S3cr3tToken").redact("istioctl", noValue));
    }

    @Test
    void quotedPartsOfTheValueAreMaskedWholeOnesToo() {
        SensitiveMessage m = replicaCount("S3cr3tTokenValueThatIsLong");
        // gopkg.in/yaml.v3 cuts a value longer than 10 bytes to its first 7 and "..." (decode.go, terror); not seen
        // from istioctl 1.30.3 in these runs, which reads YAML as JSON. Go's time package and protojson quote it whole.
        assertEquals("line 4: cannot unmarshal !!str (sensitive) into uint32",
                m.redact("istioctl", "line 4: cannot unmarshal !!str `S3cr3tT...` into uint32"));
        assertEquals("Error: failed to convert to proto. bad Duration: time: invalid duration \"(sensitive)\"",
                m.redact("istioctl", "Error: failed to convert to proto. bad Duration: time: invalid duration"
                        + " \"S3cr3tTokenValueThatIsLong\""));
        assertEquals("unknown value \"\\\"(sensitive)\\\"\" for enum istio.mesh.v1alpha1.MeshConfig.OutboundTrafficPolicy.Mode",
                m.redact("istioctl", "unknown value \"\\\"S3cr3tTokenValueThatIsLong\\\"\" for enum"
                        + " istio.mesh.v1alpha1.MeshConfig.OutboundTrafficPolicy.Mode"));
        assertEquals("a (sensitive) and a 'q' and \"istio-system\"",
                m.redact("istioctl", "a 'S' and a 'q' and \"istio-system\""));
    }

    @Test
    void aJwksRefusedByValidateIsWithheldUnderItsFieldOnce() {
        ObjectNode spec = JsonNodeFactory.instance.objectNode();
        spec.putArray("jwtRules").addObject().put("jwks", "S3cr3tJwks-xyz");
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        object.set("spec", spec.deepCopy());
        SensitiveMessage m = SensitiveMessage.of(spec, Set.of("/jwtRules/0/jwks"))
                .and(SensitiveMessage.of(object, Set.of("/spec/jwtRules/*/jwks")));
        String out = m.redact("istioctl", "jwks parse error: failed to unmarshal JWK set: invalid character 'S' looking"
                + " for beginning of value");
        assertTrue(out.startsWith("jwks parse error: failed to unmarshal JWK set: jwtRules[0].jwks (a sensitive value, not"
                + " shown): istioctl could not read"), out);
        assertFalse(out.contains("'S'"), out);
    }

    @Test
    void anInputWithoutSensitiveValuesKeepsItsMessages() {
        String msg = "invalid character 'S' looking for beginning of value";
        ObjectNode spec = JsonNodeFactory.instance.objectNode();
        spec.putObject("values").putObject("pilot").put("replicaCount", "S3cr3tToken");
        assertEquals(msg, SensitiveMessage.of(spec, Set.of()).redact("istioctl", msg));
    }
}
