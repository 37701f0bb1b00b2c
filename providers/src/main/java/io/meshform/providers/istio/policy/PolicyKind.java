package io.meshform.providers.istio.policy;

import io.meshform.engine.model.ResourceAddress;
import io.meshform.providers.istio.core.Mesh;
import io.meshform.providers.kubernetes.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** An Istio kind meshform offers as a typed resource ({@code istio.peerAuthentication}, ...), and its API names. */
public record PolicyKind(String type, String group, String version, String kind, String plural) {
    public static final PolicyKind PEER_AUTHENTICATION = new PolicyKind(Mesh.PEER_AUTHENTICATION_TYPE, Mesh.SECURITY_GROUP,
            Mesh.SECURITY_VERSION, "PeerAuthentication", "peerauthentications");
    public static final PolicyKind REQUEST_AUTHENTICATION = new PolicyKind(Mesh.REQUEST_AUTHENTICATION_TYPE,
            Mesh.SECURITY_GROUP, Mesh.SECURITY_VERSION, "RequestAuthentication", "requestauthentications");
    public static final PolicyKind AUTHORIZATION_POLICY = new PolicyKind(Mesh.AUTHORIZATION_POLICY_TYPE, Mesh.SECURITY_GROUP,
            Mesh.SECURITY_VERSION, "AuthorizationPolicy", "authorizationpolicies");
    public static final PolicyKind TELEMETRY = new PolicyKind(Mesh.TELEMETRY_TYPE, Mesh.TELEMETRY_GROUP, Mesh.TELEMETRY_VERSION,
            "Telemetry", "telemetries");
    public static final List<PolicyKind> ALL = List.of(PEER_AUTHENTICATION, REQUEST_AUTHENTICATION, AUTHORIZATION_POLICY, TELEMETRY);

    public static Optional<PolicyKind> ofType(String type) {
        return ALL.stream().filter(k -> k.type.equals(type)).findFirst();
    }

    public String apiVersion() {
        return group + "/" + version;
    }

    /**
     * The object a resource of this type applies: its namespace and name ({@code spec.name}, else the resource name with
     * '_' as '-') and the Istio spec (every field but namespace, name and force). Labels are left out: meshform adds
     * its own at apply, and no Istio rule reads them.
     */
    public ObjectNode object(ResourceAddress address, JsonNode spec) {
        ObjectNode o = Json.object();
        o.put("apiVersion", apiVersion());
        o.put("kind", kind);
        ObjectNode md = o.putObject("metadata");
        md.put("name", IstioPolicyType.objectName(address, spec));
        md.put("namespace", Json.text(spec, "namespace"));
        ObjectNode s = o.putObject("spec");
        for (Map.Entry<String, JsonNode> e : spec.properties()) {
            if (!IstioPolicyType.META_FIELDS.contains(e.getKey())) {
                s.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return o;
    }
}
