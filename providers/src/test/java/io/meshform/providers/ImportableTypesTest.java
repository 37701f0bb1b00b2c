package io.meshform.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshform.engine.spi.ResourceType;
import io.meshform.providers.istio.install.IstioInstallType;
import io.meshform.providers.istio.policy.CallerType;
import io.meshform.providers.istio.policy.IstioPolicyType;
import io.meshform.providers.kubernetes.LabelsType;
import io.meshform.providers.kubernetes.ManifestType;
import io.meshform.providers.kubernetes.NamespaceType;
import java.util.List;
import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * {@code meshform import} refuses a type that cannot import by name ({@link ResourceType#importable()}): a type
 * that implements {@code importExisting} must say it is importable, or import would refuse what it can adopt, and one
 * that does not must not, or import would report its existing object as missing from the cluster.
 */
class ImportableTypesTest {

    private static boolean overrides(Class<?> type, String method, Class<?>... parameters) throws NoSuchMethodException {
        return type.getMethod(method, parameters).getDeclaringClass() != ResourceType.class;
    }

    @Test
    void aTypeIsImportableExactlyWhenItImplementsImport() throws NoSuchMethodException {
        for (Class<?> type : List.of(NamespaceType.class, LabelsType.class, ManifestType.class, IstioPolicyType.class,
                CallerType.class, IstioInstallType.class)) {
            boolean imports = overrides(type, "importExisting", String.class)
                    || overrides(type, "importExisting", String.class, JsonNode.class);
            assertEquals(imports, overrides(type, "importable"), type.getName());
        }
    }

    @Test
    void theTypesThatImportSaySo() throws NoSuchMethodException {
        assertEquals(List.of(true, true, true, false, false, false), List.of(overrides(NamespaceType.class, "importable"),
                overrides(ManifestType.class, "importable"), overrides(IstioPolicyType.class, "importable"),
                overrides(LabelsType.class, "importable"), overrides(CallerType.class, "importable"),
                overrides(IstioInstallType.class, "importable")));
    }
}
