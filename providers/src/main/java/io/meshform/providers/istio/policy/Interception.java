package io.meshform.providers.istio.policy;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a sidecar pod's traffic its sidecar actually sees: the iptables (or istio-cni) redirection Istio sets up in
 * the pod's network namespace. Traffic that is not redirected never reaches Envoy: an inbound port outside the
 * capture reaches the application as it was sent (a PeerAuthentication's STRICT does not apply there, plaintext from
 * anyone is accepted, and Istio mTLS arrives as bytes the application cannot read), and an outbound connection outside
 * the capture leaves as the application sends it (plaintext, not Istio mTLS).
 *
 * <p>Istio 1.30.3: {@code manifests/charts/istio-control/istio-discovery/files/injection-template.yaml} hands the pod's
 * annotations, or the chart's defaults ({@code values.yaml} {@code global.proxy}: {@code includeInboundPorts: "*"},
 * {@code excludeInboundPorts: ""}, {@code includeIPRanges: "*"}, {@code excludeIPRanges: ""}, {@code
 * includeOutboundPorts}/{@code excludeOutboundPorts: ""}), to istio-init as {@code istio-iptables -m <mode> -i
 * <includeOutboundIPRanges> -x <excludeOutboundIPRanges> -b <includeInboundPorts> -d "15090,15021,<exclude with the
 * status port 15020>" [-q <includeOutboundPorts>] [-o <excludeOutboundPorts>]} ({@code excludeInboundPort},
 * pkg/kube/inject/template.go, adds the status port); with istio-cni it records the same values as the pod's
 * {@code traffic.sidecar.istio.io/*} and {@code sidecar.istio.io/interceptionMode} annotations, which the CNI plugin
 * reads with the same defaults and always adds 15020, 15021, 15090 to the inbound exclusions
 * (cni/pkg/plugin/sidecar_redirect.go {@code NewRedirect}). With {@code interceptionMode: NONE} there is no
 * istio-init and no redirection at all.
 *
 * <p>The rules (tools/istio-iptables/pkg/capture/run.go): inbound ({@code handleInboundPortsInclude}) nothing is
 * redirected when {@code includeInboundPorts} is empty; with {@code "*"} every TCP port but the excluded ones is; with
 * a list exactly the listed ports are, and {@code excludeInboundPorts} is not consulted. Outbound ({@code Run}), in
 * order: an excluded port returns (is not redirected), an excluded CIDR returns, an included port
 * ({@code handleOutboundPortsInclude}) is redirected, then {@code includeOutboundIPRanges} {@code "*"} redirects
 * everything left, a list redirects the destinations in it, and an empty value nothing.
 *
 * @param source where the values were read (for messages): "istio-init args", "pod annotations", or "defaults"
 * @param mode   {@code REDIRECT}, {@code TPROXY} or {@code NONE}
 */
public record Interception(String source, String mode, String includeInboundPorts, Set<Integer> excludeInboundPorts,
                           String includeOutboundIpRanges, String excludeOutboundIpRanges, Set<Integer> includeOutboundPorts,
                           Set<Integer> excludeOutboundPorts) {
    public static final String INCLUDE_INBOUND = "traffic.sidecar.istio.io/includeInboundPorts";
    public static final String EXCLUDE_INBOUND = "traffic.sidecar.istio.io/excludeInboundPorts";
    public static final String INCLUDE_OUTBOUND_RANGES = "traffic.sidecar.istio.io/includeOutboundIPRanges";
    public static final String EXCLUDE_OUTBOUND_RANGES = "traffic.sidecar.istio.io/excludeOutboundIPRanges";
    public static final String INCLUDE_OUTBOUND_PORTS = "traffic.sidecar.istio.io/includeOutboundPorts";
    public static final String EXCLUDE_OUTBOUND_PORTS = "traffic.sidecar.istio.io/excludeOutboundPorts";
    public static final String MODE = "sidecar.istio.io/interceptionMode";

    /** Inbound ports istio-iptables never redirects: Envoy's Prometheus port, the health port and the agent's status port. */
    public static final Set<Integer> ALWAYS_EXCLUDED_INBOUND = Set.of(15090, 15021, 15020);

    /** Istio's defaults: every inbound and outbound TCP connection goes through the sidecar. */
    public static final Interception ALL = new Interception("defaults", "REDIRECT", "*", ALWAYS_EXCLUDED_INBOUND, "*", "",
            Set.of(), Set.of());

    public Interception {
        excludeInboundPorts = Set.copyOf(new TreeSet<>(excludeInboundPorts));
        includeOutboundPorts = Set.copyOf(includeOutboundPorts);
        excludeOutboundPorts = Set.copyOf(excludeOutboundPorts);
        includeInboundPorts = includeInboundPorts == null ? "*" : includeInboundPorts.trim();
        includeOutboundIpRanges = includeOutboundIpRanges == null ? "*" : includeOutboundIpRanges.trim();
        excludeOutboundIpRanges = excludeOutboundIpRanges == null ? "" : excludeOutboundIpRanges.trim();
        mode = mode == null || mode.isBlank() ? "REDIRECT" : mode.trim().toUpperCase(Locale.ROOT);
    }

    /**
     * The pod's capture: istio-iptables' own arguments when an injected {@code istio-init} (or, with istio-cni,
     * {@code istio-validation}) container carries them (the values the injector resolved, the chart's mesh-wide
     * defaults included), else the pod's annotations over the defaults (an istio-cni pod, where the injector records
     * the effective values as annotations, or a pod not injected yet, which the injector will read them from).
     *
     * @param initArgs the istio-iptables arguments of the pod's istio-init/istio-validation container, or null
     */
    public static Interception of(Map<String, String> annotations, List<String> initArgs) {
        if (initArgs != null && initArgs.contains("istio-iptables")) {
            Map<String, String> flags = new java.util.HashMap<>();
            for (int i = 0; i < initArgs.size(); i++) {
                String a = initArgs.get(i);
                String name = a;
                String value = null;
                if (a.startsWith("--") && a.contains("=")) {
                    name = a.substring(0, a.indexOf('='));
                    value = a.substring(a.indexOf('=') + 1);
                } else if (a.startsWith("-") && i + 1 < initArgs.size()) {
                    value = initArgs.get(i + 1);
                }
                String key = switch (name) {
                    case "-m", "--istio-inbound-interception-mode" -> "m";
                    case "-b", "--istio-inbound-ports" -> "b";
                    case "-d", "--istio-local-exclude-ports" -> "d";
                    case "-i", "--istio-service-cidr" -> "i";
                    case "-x", "--istio-service-exclude-cidr" -> "x";
                    case "-q", "--istio-outbound-ports" -> "q";
                    case "-o", "--istio-local-outbound-ports-exclude" -> "o";
                    default -> null;
                };
                if (key != null && value != null) {
                    flags.put(key, value);
                }
            }
            // istio-iptables' own defaults: nothing included or excluded unless a flag says so
            return new Interception("istio-init args", flags.get("m"), flags.getOrDefault("b", ""), ports(flags.get("d")),
                    flags.getOrDefault("i", ""), flags.get("x"), ports(flags.get("q")), ports(flags.get("o")));
        }
        Map<String, String> a = annotations == null ? Map.of() : annotations;
        boolean any = a.keySet().stream().anyMatch(k -> k.startsWith("traffic.sidecar.istio.io/") || k.equals(MODE));
        if (!any) {
            return ALL;
        }
        Set<Integer> excluded = new TreeSet<>(ports(a.get(EXCLUDE_INBOUND)));
        excluded.addAll(ALWAYS_EXCLUDED_INBOUND);
        return new Interception("pod annotations", a.get(MODE), a.getOrDefault(INCLUDE_INBOUND, "*"), excluded,
                a.getOrDefault(INCLUDE_OUTBOUND_RANGES, "*"), a.get(EXCLUDE_OUTBOUND_RANGES), ports(a.get(INCLUDE_OUTBOUND_PORTS)),
                ports(a.get(EXCLUDE_OUTBOUND_PORTS)));
    }

    /** Whether TCP traffic to container port {@code port} is redirected to the sidecar ({@code handleInboundPortsInclude}). */
    public boolean capturesInbound(int port) {
        if ("NONE".equals(mode) || includeInboundPorts.isEmpty()) {
            return false;
        }
        if ("*".equals(includeInboundPorts)) {
            return !excludeInboundPorts.contains(port);
        }
        return ports(includeInboundPorts).contains(port);
    }

    /** No inbound port is redirected: {@code interceptionMode NONE}, or an empty {@code includeInboundPorts}. */
    public boolean capturesNoInbound() {
        return "NONE".equals(mode) || includeInboundPorts.isEmpty();
    }

    /**
     * Why the inbound port {@code port} bypasses the sidecar (one clause naming the setting), or null when it is
     * redirected to it.
     */
    public String inboundBypass(int port) {
        if (capturesInbound(port)) {
            return null;
        }
        if ("NONE".equals(mode)) {
            return "interceptionMode NONE: nothing is redirected to the sidecar";
        }
        if (includeInboundPorts.isEmpty()) {
            return "includeInboundPorts is empty (" + source + "): no inbound port is redirected to the sidecar";
        }
        if (!"*".equals(includeInboundPorts)) {
            return "port " + port + " is not in includeInboundPorts \"" + includeInboundPorts + "\" (" + source + ")";
        }
        return "port " + port + " is in excludeInboundPorts (" + source + ")";
    }

    /**
     * Why a connection from this pod to {@code ip}:{@code port} bypasses its sidecar and leaves as the application
     * sends it (one clause), or null when it is redirected to the sidecar. {@code ip} null (not known: a pod not
     * scheduled, a Service not created): only the port rules are applied, and an include list of ranges is taken to
     * cover it.
     */
    public String outboundBypass(String ip, int port) {
        if ("NONE".equals(mode)) {
            return "the client's interceptionMode is NONE: its sidecar captures nothing";
        }
        if (excludeOutboundPorts.contains(port)) {
            return "port " + port + " is in the client's excludeOutboundPorts (" + source + ")";
        }
        if (ip != null && inRanges(ip, excludeOutboundIpRanges)) {
            return ip + " is in the client's excludeOutboundIPRanges \"" + excludeOutboundIpRanges + "\" (" + source + ")";
        }
        if (includeOutboundPorts.contains(port) || "*".equals(includeOutboundIpRanges)) {
            return null;
        }
        if (includeOutboundIpRanges.isEmpty()) {
            return "the client's includeOutboundIPRanges is empty (" + source + "): its sidecar captures no outbound traffic";
        }
        if (ip != null && !inRanges(ip, includeOutboundIpRanges)) {
            return ip + " is outside the client's includeOutboundIPRanges \"" + includeOutboundIpRanges + "\" (" + source + ")";
        }
        return null;
    }

    /** Istio's defaults for both directions (nothing bypasses the sidecar but 15090, 15021, 15020 inbound). */
    public boolean capturesAll() {
        return !"NONE".equals(mode) && "*".equals(includeInboundPorts) && ALWAYS_EXCLUDED_INBOUND.containsAll(excludeInboundPorts)
                && "*".equals(includeOutboundIpRanges) && excludeOutboundIpRanges.isEmpty() && excludeOutboundPorts.isEmpty();
    }

    /** What decides outbound capture, for grouping clients that behave alike. */
    public String outboundKey() {
        return "NONE".equals(mode) ? "NONE" : includeOutboundIpRanges + "|" + excludeOutboundIpRanges + "|"
                + new TreeSet<>(includeOutboundPorts) + "|" + new TreeSet<>(excludeOutboundPorts);
    }

    /** A comma-separated port list (as the annotations and istio-iptables take it); "*" and junk yield no port. */
    static Set<Integer> ports(String list) {
        Set<Integer> out = new TreeSet<>();
        if (list == null) {
            return out;
        }
        for (String s : list.split(",")) {
            String t = s.trim();
            if (!t.isEmpty() && t.chars().allMatch(Character::isDigit) && t.length() <= 5) {
                out.add(Integer.parseInt(t));
            }
        }
        return out;
    }

    /** Whether {@code ip} lies in one of the comma-separated CIDRs ("*" covers everything). */
    static boolean inRanges(String ip, String cidrs) {
        if (cidrs == null || cidrs.isBlank()) {
            return false;
        }
        byte[] addr = numeric(ip);
        for (String c : cidrs.split(",")) {
            String t = c.trim();
            if ("*".equals(t)) {
                return true;
            }
            if (addr == null || t.isEmpty()) {
                continue;
            }
            int slash = t.indexOf('/');
            byte[] net = numeric(slash < 0 ? t : t.substring(0, slash));
            if (net == null || net.length != addr.length) {
                continue;
            }
            int bits;
            try {
                bits = slash < 0 ? net.length * 8 : Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            int total = net.length * 8;
            if (bits < 0 || bits > total) {
                continue;
            }
            BigInteger mask = bits == 0 ? BigInteger.ZERO
                    : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftLeft(total - bits);
            if (new BigInteger(1, addr).and(mask).equals(new BigInteger(1, net).and(mask))) {
                return true;
            }
        }
        return false;
    }

    /** The bytes of a numeric IPv4 or IPv6 address; null for anything else (never a DNS lookup). */
    private static byte[] numeric(String s) {
        if (s == null || s.isEmpty() || !(s.contains(":") || s.chars().allMatch(ch -> ch == '.' || Character.isDigit(ch)))) {
            return null;
        }
        if (!s.contains(":")) {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            byte[] out = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3 || Integer.parseInt(parts[i]) > 255) {
                    return null;
                }
                out[i] = (byte) Integer.parseInt(parts[i]);
            }
            return out;
        }
        if (!s.chars().allMatch(ch -> ch == ':' || ch == '.' || Character.digit(ch, 16) >= 0)) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress(); // a literal with ':' is parsed, never resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
