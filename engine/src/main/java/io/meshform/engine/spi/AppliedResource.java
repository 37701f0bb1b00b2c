package io.meshform.engine.spi;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What a provider reports after applying: the attributes to record (normally the applied spec) and
 * provider metadata (uid, resourceVersion, field manager, digests).
 */
public record AppliedResource(JsonNode attributes, Map<String, String> metadata) {

    public AppliedResource {
        metadata = Map.copyOf(metadata);
    }
}
