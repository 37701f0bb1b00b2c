package probe

import (
	"testing"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// Synthetic virtualInbound listeners shaped like istiod's (chain per port and transport protocol, inspectors
// disabled per port); the ITs check the same against istiod's own output.

func istioMTLSSocket(t *testing.T) *core.TransportSocket {
	ctx := &tlsv3.DownstreamTlsContext{
		RequireClientCertificate: wrapperspb.Bool(true),
		CommonTlsContext: &tlsv3.CommonTlsContext{
			TlsCertificateSdsSecretConfigs: []*tlsv3.SdsSecretConfig{{Name: "default"}},
		},
	}
	a, err := anypb.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &core.TransportSocket{Name: "envoy.transport_sockets.tls", ConfigType: &core.TransportSocket_TypedConfig{TypedConfig: a}}
}

func chain(name string, port uint32, transport string, alpn []string, ts *core.TransportSocket) *listener.FilterChain {
	m := &listener.FilterChainMatch{TransportProtocol: transport, ApplicationProtocols: alpn}
	if port != 0 {
		m.DestinationPort = wrapperspb.UInt32(port)
	}
	return &listener.FilterChain{Name: name, FilterChainMatch: m, TransportSocket: ts}
}

func inspectorsOff(ports ...int32) []*listener.ListenerFilter {
	var rules []*listener.ListenerFilterChainMatchPredicate
	for _, p := range ports {
		rules = append(rules, &listener.ListenerFilterChainMatchPredicate{Rule: &listener.ListenerFilterChainMatchPredicate_DestinationPortRange{
			DestinationPortRange: &typev3.Int32Range{Start: p, End: p + 1}}})
	}
	disabled := &listener.ListenerFilterChainMatchPredicate{Rule: &listener.ListenerFilterChainMatchPredicate_OrMatch{
		OrMatch: &listener.ListenerFilterChainMatchPredicate_MatchSet{Rules: rules}}}
	return []*listener.ListenerFilter{{Name: tlsInspector, FilterDisabled: disabled}, {Name: httpInspector, FilterDisabled: disabled}}
}

func TestInboundModes(t *testing.T) {
	mtls := istioMTLSSocket(t)
	l := &listener.Listener{
		Name:            virtualInbound,
		ListenerFilters: inspectorsOff(9090),
		FilterChains: []*listener.FilterChain{
			// 8080 STRICT: only a TLS chain.
			chain("strict", 8080, transportTLS, nil, mtls),
			// 8443 PERMISSIVE: TLS with Istio ALPN, and raw_buffer.
			chain("permissive-mtls", 8443, transportTLS, []string{"istio-peer-exchange", "istio"}, mtls),
			chain("permissive-plain", 8443, transportRaw, nil, nil),
			// 9090 DISABLE: inspectors off, one raw chain.
			chain("disable", 9090, transportRaw, nil, nil),
			// Any other port: the catch-all, STRICT here.
			chain("catch-all", 0, transportTLS, nil, mtls),
		},
	}
	got := map[int]string{}
	for _, p := range Inbound([]*listener.Listener{l}, "10.244.0.9", []int{8080, 8443, 9090, 7000}) {
		got[p.Port] = p.Mode
	}
	want := map[int]string{8080: "STRICT", 8443: "PERMISSIVE", 9090: "DISABLE", 7000: "STRICT"}
	for port, mode := range want {
		if got[port] != mode {
			t.Errorf("port %d: mode %q, want %q (all: %v)", port, got[port], mode, got)
		}
	}
}

func TestMTLSToAChainWithoutIstioCertificatesIsNotIstioMTLS(t *testing.T) {
	user := &tlsv3.DownstreamTlsContext{CommonTlsContext: &tlsv3.CommonTlsContext{
		TlsCertificateSdsSecretConfigs: []*tlsv3.SdsSecretConfig{{Name: "kubernetes://app-cert"}},
	}}
	a, _ := anypb.New(user)
	ts := &core.TransportSocket{Name: "tls", ConfigType: &core.TransportSocket_TypedConfig{TypedConfig: a}}
	l := &listener.Listener{Name: virtualInbound, FilterChains: []*listener.FilterChain{chain("app-tls", 443, transportTLS, nil, ts)}}
	p := Inbound([]*listener.Listener{l}, "10.244.0.9", []int{443})[0]
	if p.MTLS || p.Mode != "NONE" {
		t.Errorf("got %+v, want no Istio mTLS", p)
	}
}

func TestNoInboundListener(t *testing.T) {
	p := Inbound(nil, "10.244.0.9", []int{80})[0]
	if p.Mode != "NONE" || p.Calls[0].Reason == "" {
		t.Errorf("got %+v", p)
	}
}
