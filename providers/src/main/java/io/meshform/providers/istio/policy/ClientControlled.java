package io.meshform.providers.istio.policy;

/**
 * Which conditions of a rule on an ingress gateway a client can make fail at will. A CUSTOM rule sends a request to
 * the auth proxy only when it matches (pilot/pkg/security/authz/builder/extauthz.go
 * {@code generateFilterMatcherForProvider}), so a CUSTOM rule whose {@code when}/{@code from} a client can make fail
 * is a login bypass that client chooses. The attributes are the ones istiod knows (pilot/pkg/security/authz/model/
 * model.go: {@code attrRequestHeader} ... {@code attrEnvoyFilter}; the {@code from.source} fields map to the same
 * attributes in {@code New}), matched as generator.go and principal.go build them:
 * <ul>
 * <li>{@code request.headers[...]}: an Envoy header matcher ({@code requestHeaderGenerator}) on what the client sent;
 *     it writes any value or leaves the header out. Client-controlled either way ({@code values} and
 *     {@code notValues}).</li>
 * <li>{@code remote.ip} ({@code remoteIpBlocks}, {@code notRemoteIpBlocks}): Envoy's {@code remote_ip}
 *     ({@code principalRemoteIP}), the address it takes from {@code X-Forwarded-For} when the gateway trusts proxy
 *     hops ({@code gatewayTopology.numTrustedProxies}, in the mesh config or the gateway's
 *     {@code proxy.istio.io/config}, which meshform does not see) or from the PROXY protocol. A client writes its own
 *     {@code X-Forwarded-For}, and a front proxy that appends to it keeps the forged entries: client-controlled either
 *     way. Only with no trusted hops is it the peer address.</li>
 * <li>{@code connection.sni}: the server name the client puts in its TLS ClientHello
 *     ({@code permissionRequestedServerName}): client-controlled either way.</li>
 * <li>{@code request.auth.principal}, {@code .audiences}, {@code .presenter}, {@code .claims[...]}
 *     ({@code requestPrincipals}): dynamic metadata that only a JWT a RequestAuthentication verified sets
 *     ({@code requestPrincipalGenerator}, {@code requestClaimGenerator}), so a client cannot forge a value; but a request
 *     without a token has none, so a condition that needs a value ({@code values}, {@code requestPrincipals}) fails for a
 *     client that leaves its token out. {@code notValues}/{@code notRequestPrincipals} fail only for a verified token: not
 *     client-controlled.</li>
 * <li>{@code source.principal}, {@code .namespace}, {@code .serviceAccount}, {@code .trustDomain} ({@code principals},
 *     {@code namespaces}, ...): the peer's mTLS identity ({@code principalAuthenticated}). A client outside the mesh
 *     reaching an ingress gateway presents no mesh certificate and has none, so a condition that needs one
 *     ({@code values}) fails for every outside client. The {@code not} forms need a mesh identity to fail: not
 *     client-controlled.</li>
 * <li>{@code source.ip} ({@code ipBlocks}): the TCP peer address ({@code principalDirectRemoteIP}), which a client
 *     cannot choose; {@code destination.ip}, {@code destination.port}: the gateway's own address and port;
 *     {@code experimental.envoy.filters.*}: metadata other filters set. Not client-controlled (a conditional rule's
 *     samples are still checked with its conditions not holding, {@link IngressCoverage}).</li>
 * </ul>
 *
 * <p>On a CUSTOM rule istiod's validation refuses the identity attributes: {@code from.source} {@code principals},
 * {@code namespaces}, {@code serviceAccounts}, {@code trustDomains}, {@code requestPrincipals} and their {@code not}
 * forms, and {@code when} keys {@code source.principal}, {@code source.namespace}, {@code source.serviceAccount},
 * {@code source.trustDomain} and {@code request.auth.*} ("... is currently not supported with CUSTOM action",
 * pkg/config/validation/validation.go {@code ValidateAuthorizationPolicy}; meshform's validate reports it). What a
 * CUSTOM rule can test is then headers, {@code remote.ip}, {@code connection.sni} (client-controlled) and
 * {@code source.ip}, {@code destination.*}, {@code experimental.envoy.filters.*} (not). The identity attributes are
 * classified above all the same, for a policy that reaches the cluster without that validation.
 */
public final class ClientControlled {

    private ClientControlled() {
    }

    /** Why a client can make the condition fail, or null when it cannot. */
    public static String why(AuthzPolicy.Condition c) {
        String k = c.key();
        boolean needsValue = !c.values().isEmpty();
        if (k.startsWith("request.headers")) {
            return "a client sends any request header it likes, or none";
        }
        if (k.equals("remote.ip")) {
            return "remote.ip is the address Envoy takes from X-Forwarded-For (or the PROXY protocol) when the gateway"
                    + " trusts proxy hops (gatewayTopology.numTrustedProxies), and a client writes its own X-Forwarded-For";
        }
        if (k.equals("connection.sni")) {
            return "a client puts any server name it likes in its TLS ClientHello";
        }
        if (k.startsWith("request.auth.") && needsValue) {
            return "only a JWT a RequestAuthentication verified sets " + k + ", and a client that sends no token has none";
        }
        if (needsValue && (k.equals("source.principal") || k.equals("source.namespace") || k.equals("source.serviceAccount")
                || k.equals("source.trustDomain"))) {
            return "a client outside the mesh presents no mesh certificate to an ingress gateway, so it has no " + k;
        }
        return null;
    }
}
