package io.meshform.providers.kubernetes;

import io.fabric8.kubernetes.api.model.AuthInfo;
import io.fabric8.kubernetes.api.model.AuthProviderConfig;
import io.fabric8.kubernetes.api.model.Cluster;
import io.fabric8.kubernetes.api.model.Config;
import io.fabric8.kubernetes.api.model.Context;
import io.fabric8.kubernetes.api.model.ExecConfig;
import io.fabric8.kubernetes.api.model.ExecEnvVar;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.Preferences;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A kubeconfig as kubectl, kind and the cloud CLIs write it, read into fabric8's model without Jackson's data binding.
 * fabric8 parses a kubeconfig YAML with snakeyaml-engine's default {@code Load} and then maps the maps onto its model
 * with Jackson's {@code convertValue} (fabric8 8.0.0, io/fabric8/kubernetes/client/utils/KubernetesSerialization.java,
 * {@code unmarshal} and {@code parseYaml}). Building Jackson's deserializers for the dozen model classes, cold, was
 * the largest single step before a plan's first API request (BENCHMARKS.md, issue 18, afternoon session: startup).
 * <p>
 * This reader runs the same {@code Load} and sets the same properties through the model's own setters, and only
 * where the mapping is one to one: a value of exactly the property's type (a string for a string, a boolean for a
 * boolean, a list or map of strings). Anything else (a key it does not know, an {@code extensions} entry, a number
 * where a string belongs, which Jackson would coerce, several documents, JSON) makes it answer empty, and the caller
 * parses with fabric8's serializer instead, so no setting is dropped or read differently. The property names are the
 * model's {@code @JsonPropertyOrder} (kubernetes-model-core 8.0.0); PlainKubeconfigTest compares both readers.
 */
final class PlainKubeconfig {
    private PlainKubeconfig() {
    }

    /** The model of this kubeconfig's bytes, or empty when fabric8's own parse must decide. */
    static Optional<Config> read(byte[] bytes) {
        if (startsLikeJson(bytes)) {
            return Optional.empty();
        }
        try {
            List<Object> documents = new ArrayList<>();
            new Load(LoadSettings.builder().build()).loadAllFromInputStream(new ByteArrayInputStream(bytes))
                    .forEach(documents::add);
            if (documents.size() != 1 || !(documents.get(0) instanceof Map<?, ?> root)) {
                return Optional.empty();
            }
            return Optional.of(config(new Fields(root, CONFIG_KEYS)));
        } catch (NotPlain | RuntimeException e) {
            // fabric8's parse gives the file's own error, or reads what this reader leaves to it.
            return Optional.empty();
        }
    }

    /** fabric8 reads a stream whose first non-blank character is '{' or '[' as JSON, with other rules. */
    private static boolean startsLikeJson(byte[] bytes) {
        for (byte b : bytes) {
            if (!Character.isWhitespace(b)) {
                return b == '{' || b == '[';
            }
        }
        return false;
    }

    private static final Set<String> CONFIG_KEYS = Set.of("apiVersion", "kind", "clusters", "contexts",
            "current-context", "preferences", "users");
    private static final Set<String> CLUSTER_KEYS = Set.of("certificate-authority", "certificate-authority-data",
            "disable-compression", "insecure-skip-tls-verify", "proxy-url", "server", "tls-server-name");
    private static final Set<String> CONTEXT_KEYS = Set.of("cluster", "namespace", "user");
    private static final Set<String> USER_KEYS = Set.of("as", "as-groups", "as-uid", "as-user-extra", "auth-provider",
            "client-certificate", "client-certificate-data", "client-key", "client-key-data", "exec", "password",
            "token", "tokenFile", "username");
    private static final Set<String> EXEC_KEYS = Set.of("apiVersion", "args", "command", "env", "installHint",
            "interactiveMode", "provideClusterInfo");

    private static Config config(Fields f) throws NotPlain {
        Config c = new Config();
        f.string("apiVersion", c::setApiVersion);
        f.string("kind", c::setKind);
        f.string("current-context", c::setCurrentContext);
        if (f.has("clusters")) {
            c.setClusters(f.list("clusters", m -> named(m, "cluster", CLUSTER_KEYS, (name, v) -> {
                NamedCluster n = new NamedCluster();
                n.setName(name);
                n.setCluster(v == null ? null : cluster(v));
                return n;
            })));
        }
        if (f.has("contexts")) {
            c.setContexts(f.list("contexts", m -> named(m, "context", CONTEXT_KEYS, (name, v) -> {
                NamedContext n = new NamedContext();
                n.setName(name);
                n.setContext(v == null ? null : context(v));
                return n;
            })));
        }
        if (f.has("users")) {
            c.setUsers(f.list("users", m -> named(m, "user", USER_KEYS, (name, v) -> {
                NamedAuthInfo n = new NamedAuthInfo();
                n.setName(name);
                n.setUser(v == null ? null : user(v));
                return n;
            })));
        }
        if (f.has("preferences")) {
            // kubectl writes "preferences: {}"; any setting in it (colors, extensions) goes to fabric8's parse.
            new Fields(f.map("preferences"), Set.of());
            c.setPreferences(new Preferences());
        }
        return c;
    }

    private static Cluster cluster(Fields f) throws NotPlain {
        Cluster c = new Cluster();
        f.string("certificate-authority", c::setCertificateAuthority);
        f.string("certificate-authority-data", c::setCertificateAuthorityData);
        f.bool("disable-compression", c::setDisableCompression);
        f.bool("insecure-skip-tls-verify", c::setInsecureSkipTlsVerify);
        f.string("proxy-url", c::setProxyUrl);
        f.string("server", c::setServer);
        f.string("tls-server-name", c::setTlsServerName);
        return c;
    }

    private static Context context(Fields f) throws NotPlain {
        Context c = new Context();
        f.string("cluster", c::setCluster);
        f.string("namespace", c::setNamespace);
        f.string("user", c::setUser);
        return c;
    }

    private static AuthInfo user(Fields f) throws NotPlain {
        AuthInfo u = new AuthInfo();
        f.string("as", u::setAs);
        if (f.has("as-groups")) {
            u.setAsGroups(f.strings("as-groups"));
        }
        f.string("as-uid", u::setAsUid);
        if (f.has("as-user-extra")) {
            Map<String, List<String>> extra = new LinkedHashMap<>();
            Fields e = new Fields(f.map("as-user-extra"), null);
            for (String key : e.keys()) {
                extra.put(key, e.strings(key));
            }
            u.setAsUserExtra(extra);
        }
        if (f.has("auth-provider")) {
            Fields p = new Fields(f.map("auth-provider"), Set.of("config", "name"));
            AuthProviderConfig provider = new AuthProviderConfig();
            p.string("name", provider::setName);
            if (p.has("config")) {
                Fields config = new Fields(p.map("config"), null);
                Map<String, String> values = new LinkedHashMap<>();
                for (String key : config.keys()) {
                    config.string(key, v -> values.put(key, v));
                }
                provider.setConfig(values);
            }
            u.setAuthProvider(provider);
        }
        f.string("client-certificate", u::setClientCertificate);
        f.string("client-certificate-data", u::setClientCertificateData);
        f.string("client-key", u::setClientKey);
        f.string("client-key-data", u::setClientKeyData);
        if (f.has("exec")) {
            u.setExec(exec(new Fields(f.map("exec"), EXEC_KEYS)));
        }
        f.string("password", u::setPassword);
        f.string("token", u::setToken);
        f.string("tokenFile", u::setTokenFile);
        f.string("username", u::setUsername);
        return u;
    }

    private static ExecConfig exec(Fields f) throws NotPlain {
        ExecConfig e = new ExecConfig();
        f.string("apiVersion", e::setApiVersion);
        if (f.has("args")) {
            e.setArgs(f.strings("args"));
        }
        f.string("command", e::setCommand);
        if (f.has("env")) {
            e.setEnv(f.list("env", m -> {
                Fields v = new Fields(m, Set.of("name", "value"));
                ExecEnvVar env = new ExecEnvVar();
                v.string("name", env::setName);
                v.string("value", env::setValue);
                return env;
            }));
        }
        f.string("installHint", e::setInstallHint);
        f.string("interactiveMode", e::setInteractiveMode);
        f.bool("provideClusterInfo", e::setProvideClusterInfo);
        return e;
    }

    /**
     * A "- name: N\n  KEY: {...}" entry of clusters, contexts or users; without KEY the value stays null, as Jackson
     * leaves it.
     */
    private static <T> T named(Map<?, ?> entry, String key, Set<String> keys, Named<T> make) throws NotPlain {
        Fields f = new Fields(entry, Set.of("name", key));
        String[] name = new String[1];
        f.string("name", v -> name[0] = v);
        return make.of(name[0], f.has(key) ? new Fields(f.map(key), keys) : null);
    }

    /** Makes the named entry; {@code value} is null when the entry has none. */
    private interface Named<T> {
        T of(String name, Fields value) throws NotPlain;
    }

    private interface Item<T> {
        T of(Map<?, ?> value) throws NotPlain;
    }

    /** One mapping of the document, read only where its values have exactly the expected types. */
    private static final class Fields {
        private final Map<?, ?> map;

        /** {@code known} null: any string key. */
        Fields(Map<?, ?> map, Set<String> known) throws NotPlain {
            for (Object key : map.keySet()) {
                if (!(key instanceof String k) || known != null && !known.contains(k)) {
                    throw new NotPlain();
                }
            }
            this.map = map;
        }

        List<String> keys() {
            return map.keySet().stream().map(String.class::cast).toList();
        }

        boolean has(String key) {
            return map.containsKey(key);
        }

        /** A string or null is set as it is (Jackson sets a YAML null too); any other value is not plain. */
        void string(String key, Consumer<String> set) throws NotPlain {
            if (!map.containsKey(key)) {
                return;
            }
            Object v = map.get(key);
            if (v != null && !(v instanceof String)) {
                throw new NotPlain();
            }
            set.accept((String) v);
        }

        void bool(String key, Consumer<Boolean> set) throws NotPlain {
            if (!map.containsKey(key)) {
                return;
            }
            Object v = map.get(key);
            if (v != null && !(v instanceof Boolean)) {
                throw new NotPlain();
            }
            set.accept((Boolean) v);
        }

        /** A mapping; a YAML null here is left to fabric8 (whether Jackson sets null or keeps the default). */
        Map<?, ?> map(String key) throws NotPlain {
            if (map.get(key) instanceof Map<?, ?> m) {
                return m;
            }
            throw new NotPlain();
        }

        List<String> strings(String key) throws NotPlain {
            if (!(map.get(key) instanceof List<?> list)) {
                throw new NotPlain();
            }
            List<String> out = new ArrayList<>();
            for (Object v : list) {
                if (!(v instanceof String s)) {
                    throw new NotPlain();
                }
                out.add(s);
            }
            return out;
        }

        <T> List<T> list(String key, Item<T> item) throws NotPlain {
            if (!(map.get(key) instanceof List<?> list)) {
                throw new NotPlain();
            }
            List<T> out = new ArrayList<>();
            for (Object v : list) {
                if (!(v instanceof Map<?, ?> m)) {
                    throw new NotPlain();
                }
                out.add(item.of(m));
            }
            return out;
        }
    }

    /** The document holds something only fabric8's parse reads right. */
    private static final class NotPlain extends Exception {
        NotPlain() {
            super(null, null, false, false);
        }
    }
}
