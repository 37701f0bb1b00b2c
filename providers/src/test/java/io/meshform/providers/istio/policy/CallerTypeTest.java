package io.meshform.providers.istio.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.Action;
import io.meshform.engine.spi.FieldProblem;
import io.meshform.engine.spi.PlanRequest;
import io.meshform.state.ResourceState;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class CallerTypeTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private final CallerType type = new CallerType();

    private List<String> problems(String yaml) {
        return type.validate(YAML.readTree(yaml)).stream().map(p -> p.path() + ": " + p.message()).toList();
    }

    @Test
    void aWellFormedCallerPassesAndMistakesNameTheirField() {
        assertEquals(List.of(), problems("sends: plaintext\ncalls: [{namespace: cortex, selector: {app: api}, ports: [8080]}, {}]"));
        assertEquals(List.of("/calls: missing required field `calls`"), problems("sends: plaintext"));
        assertEquals(List.of("/calls/0/ports/1: a port must be a number from 1 to 65535"),
                problems("calls: [{ports: [80, 70000]}]"));
        assertEquals(List.of("/sends: `sends` must be one of plaintext, istio-mtls, tls, not \"mtls\""),
                problems("sends: mtls\ncalls: [{}]"));
        assertEquals(List.of("/calls/0/port: unknown field `port` in a caller's target"), problems("calls: [{port: 80}]"));
    }

    @Test
    void itLivesInStateOnly() {
        ResourceAddress a = ResourceAddress.parse("istio.caller.scraper");
        JsonNode spec = YAML.readTree("calls: [{namespace: cortex}]");
        assertEquals(Action.CREATE, type.plan(new PlanRequest(a, spec, null, null)).action());
        ResourceState recorded = new ResourceState(a.toString(), a.type(), (tools.jackson.databind.node.ObjectNode) spec, Map.of());
        assertEquals(Action.NOOP, type.plan(new PlanRequest(a, spec, recorded, null)).action());
        OutsideCaller c = CallerType.caller(a, spec);
        assertEquals(ClientTls.Sends.PLAINTEXT, c.sends());
        assertEquals("cortex", c.targets().get(0).namespace());
        assertEquals(List.<FieldProblem>of(), type.validate(spec));
    }
}
