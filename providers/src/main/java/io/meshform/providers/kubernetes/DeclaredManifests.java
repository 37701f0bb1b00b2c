package io.meshform.providers.kubernetes;

import io.meshform.engine.diag.DiagnosticsException;
import io.meshform.engine.load.YamlDocument;
import io.meshform.engine.model.ResourceAddress;
import io.meshform.engine.spi.StackContext;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The object a {@code kubernetes.manifest} spec declares, inline or in its {@code file}, in the one form plan, apply,
 * drift and other providers' checks compare: without server-owned fields, a Secret as the API server stores it.
 */
final class DeclaredManifests {
    private final KubeConnection kube;

    DeclaredManifests(KubeConnection kube) {
        this.kube = kube;
    }

    /**
     * The object the spec declares, without server-owned fields, and a Secret in the form the API server stores it
     * ({@code stringData} folded into base64 {@code data}), so a changed password is a changed value to compare.
     */
    ObjectNode manifest(ResourceAddress address, JsonNode spec, StackContext context) {
        JsonNode m = spec.get("manifest");
        return normalized(m == null || m.isNull() ? fromFile(address, Json.text(spec, "file"), context) : m);
    }

    /** {@code m} as plan and apply compare it; also {@link ManifestType#object}, for a spec whose file was read. */
    static ObjectNode normalized(JsonNode m) {
        ObjectNode obj = ServerFields.strip(Json.copy(m));
        if (ManifestSensitive.isSecret(obj)) {
            SecretData.fold(obj);
        }
        return obj;
    }

    /** A spec whose file the loader did not read (library use): read it here, under the same rules. */
    private JsonNode fromFile(ResourceAddress address, String name, StackContext context) {
        String who = address == null ? "" : address + ": ";
        List<YamlDocument> docs;
        try {
            docs = kube.files().readYaml(name, context.baseDirectory(), "manifest file");
        } catch (DiagnosticsException e) {
            throw KubeErrors.error(who + "spec.file: " + StackFiles.oneLine(e), null);
        }
        if (docs.size() != 1 || !docs.get(0).root().isObject()) {
            throw KubeErrors.error(who + name + " holds " + docs.size() + " documents",
                    "a kubernetes.manifest file holds exactly one object; declare one resource per object");
        }
        return docs.get(0).root();
    }
}
