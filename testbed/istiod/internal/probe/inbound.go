package probe

import (
	"net/netip"
	"slices"
	"sort"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
)

// Istio's names (pilot/pkg/model: VirtualInboundListenerName; pilot/pkg/xds/filters: TLSInspector, HTTPInspector,
// the transport protocols).
const (
	virtualInbound = "virtualInbound"
	tlsInspector   = "envoy.filters.listener.tls_inspector"
	httpInspector  = "envoy.filters.listener.http_inspector"
	transportTLS   = "tls"
	transportRaw   = "raw_buffer"
)

// Call is one client connection the probe replays against the inbound listener.
type Call struct {
	Name string `json:"name"`           // plaintext-tcp, plaintext-http, mtls-tcp, mtls-http
	TLS  bool   `json:"-"`              // the client speaks TLS (Istio mTLS)
	ALPN string `json:"alpn,omitempty"` // what the listener filters would see
}

// calls are an unmeshed client (TCP, HTTP/1.1) and an Istio sidecar client (TCP, HTTP/1.1). The ALPN values are
// those an Istio client proxy offers (istio-peer-exchange/istio for TCP, istio-http/1.1 for HTTP; see
// pilot/pkg/networking/util ALPNInMeshWithMxc and ALPNHttp... and Istio's own simulation,
// pilot/pkg/simulation/traffic.go protocolToMTLSAlpn).
var calls = []Call{
	{Name: "plaintext-tcp"},
	{Name: "plaintext-http", ALPN: "http/1.1"},
	{Name: "mtls-tcp", TLS: true, ALPN: "istio"},
	{Name: "mtls-http", TLS: true, ALPN: "istio-http/1.1"},
}

// CallResult is where a call lands and whether the proxy takes it as that kind of connection.
type CallResult struct {
	Call
	FilterChain string      `json:"filterChain,omitempty"` // the matched chain's name ("" when none matches)
	ChainMatch  *ChainMatch `json:"filterChainMatch,omitempty"`
	TLS         bool        `json:"terminatesTls"` // the matched chain has a TLS transport socket
	Accepted    bool        `json:"accepted"`
	Reason      string      `json:"reason,omitempty"` // why not accepted
}

// ChainMatch is the part of the matched chain's FilterChainMatch that told it apart (Istio names the
// plaintext and the mTLS chain of a port alike).
type ChainMatch struct {
	DestinationPort      int      `json:"destinationPort,omitempty"`
	TransportProtocol    string   `json:"transportProtocol,omitempty"`
	ApplicationProtocols []string `json:"applicationProtocols,omitempty"`
}

// InboundPort is the verdict for one port of the pod.
type InboundPort struct {
	Port      int          `json:"port"`
	Plaintext bool         `json:"plaintext"` // an unmeshed client's plaintext connection is accepted
	MTLS      bool         `json:"mtls"`      // an Istio client's mTLS connection is terminated with Istio's certificates
	Mode      string       `json:"mode"`      // STRICT (mTLS only), PERMISSIVE (both), DISABLE (plaintext only), NONE
	Calls     []CallResult `json:"calls"`
}

func modeOf(plaintext, mtls bool) string {
	switch {
	case plaintext && mtls:
		return "PERMISSIVE"
	case mtls:
		return "STRICT"
	case plaintext:
		return "DISABLE"
	}
	return "NONE"
}

// Inbound evaluates each port against the virtualInbound listener the way Envoy picks a filter chain
// (FilterChainMatch: destination port, destination IP prefix, server names, transport protocol, application
// protocols; the most specific match wins at each step, chains that leave a field unset are the fallback).
// Istio's own simulation (pilot/pkg/simulation/traffic.go matchFilterChain, requiresMTLS) applies the same rules
// in Istio's tests; that package cannot be imported here (it imports pilot/test/xds and so bootstrap).
func Inbound(listeners []*listener.Listener, podIP string, ports []int) []InboundPort {
	var in *listener.Listener
	for _, l := range listeners {
		if l.Name == virtualInbound {
			in = l
		}
	}
	var out []InboundPort
	for _, port := range ports {
		r := InboundPort{Port: port}
		for _, c := range calls {
			cr := evaluate(in, podIP, port, c)
			if cr.Accepted {
				if c.TLS {
					r.MTLS = true
				} else {
					r.Plaintext = true
				}
			}
			r.Calls = append(r.Calls, cr)
		}
		r.Mode = modeOf(r.Plaintext, r.MTLS)
		out = append(out, r)
	}
	return out
}

// InboundPorts are the ports worth asking about: the pod's container ports, the ports named by the inbound
// chains, and any the caller adds.
func InboundPorts(listeners []*listener.Listener, containerPorts, extra []int) []int {
	seen := map[int]bool{}
	for _, p := range append(append([]int{}, containerPorts...), extra...) {
		seen[p] = true
	}
	for _, l := range listeners {
		if l.Name != virtualInbound {
			continue
		}
		for _, fc := range l.FilterChains {
			if p := fc.GetFilterChainMatch().GetDestinationPort(); p != nil && p.Value != 15006 {
				seen[int(p.Value)] = true
			}
		}
	}
	var out []int
	for p := range seen {
		if p > 0 {
			out = append(out, p)
		}
	}
	sort.Ints(out)
	return out
}

func evaluate(l *listener.Listener, podIP string, port int, c Call) CallResult {
	r := CallResult{Call: c}
	if l == nil {
		r.Reason = "no virtualInbound listener (istiod sent no inbound configuration)"
		return r
	}
	hasTLSInspector := listenerFilterOnPort(l, tlsInspector, port)
	alpn := c.ALPN
	if c.TLS && !hasTLSInspector {
		alpn = "" // without the TLS inspector Envoy never reads the ALPN of the handshake
	}
	if !c.TLS && !listenerFilterOnPort(l, httpInspector, port) {
		alpn = ""
	}
	fc := matchFilterChain(l.FilterChains, podIP, port, c.TLS, hasTLSInspector, alpn)
	if fc == nil {
		fc = l.DefaultFilterChain
	}
	if fc == nil {
		r.Reason = "no filter chain matches"
		return r
	}
	r.FilterChain = fc.Name
	if m := fc.GetFilterChainMatch(); m != nil {
		r.ChainMatch = &ChainMatch{DestinationPort: int(m.GetDestinationPort().GetValue()),
			TransportProtocol: m.GetTransportProtocol(), ApplicationProtocols: m.GetApplicationProtocols()}
	}
	terminatesTLS := fc.TransportSocket != nil
	r.TLS = terminatesTLS
	switch {
	case !c.TLS && terminatesTLS:
		r.Reason = "the chain requires TLS"
	case c.TLS && !terminatesTLS:
		r.Reason = "the chain does not terminate TLS: the client's mTLS reaches the application undecrypted"
	case c.TLS && !requiresIstioMTLS(fc):
		r.Reason = "the chain terminates TLS without Istio's workload certificate and client certificate check"
	default:
		r.Accepted = true
	}
	return r
}

// requiresIstioMTLS: the chain's DownstreamTlsContext serves the workload certificate (SDS secret "default") and
// requires a client certificate, as pilot/pkg/simulation/traffic.go requiresMTLS checks.
func requiresIstioMTLS(fc *listener.FilterChain) bool {
	t := &tlsv3.DownstreamTlsContext{}
	if err := fc.GetTransportSocket().GetTypedConfig().UnmarshalTo(t); err != nil {
		return false
	}
	sds := t.GetCommonTlsContext().GetTlsCertificateSdsSecretConfigs()
	return len(sds) > 0 && sds[0].GetName() == "default" && t.GetRequireClientCertificate().GetValue()
}

func matchFilterChain(chains []*listener.FilterChain, podIP string, port int, isTLS, hasTLSInspector bool, alpn string) *listener.FilterChain {
	chains = narrow(chains, func(m *listener.FilterChainMatch) bool { return m.GetDestinationPort() != nil },
		func(m *listener.FilterChainMatch) int {
			if int(m.GetDestinationPort().GetValue()) == port {
				return 1
			}
			return 0
		})
	addr, _ := netip.ParseAddr(podIP)
	chains = narrow(chains, func(m *listener.FilterChainMatch) bool { return len(m.GetPrefixRanges()) > 0 },
		func(m *listener.FilterChainMatch) int { return bestPrefix(m.GetPrefixRanges(), addr) })
	// Inbound calls carry no SNI an inbound chain matches on, so only chains without server names qualify.
	chains = narrow(chains, func(m *listener.FilterChainMatch) bool { return len(m.GetServerNames()) > 0 },
		func(*listener.FilterChainMatch) int { return 0 })
	chains = narrow(chains, func(m *listener.FilterChainMatch) bool { return m.GetTransportProtocol() != "" },
		func(m *listener.FilterChainMatch) int {
			t := m.GetTransportProtocol()
			if !hasTLSInspector {
				return b2i(t == transportRaw)
			}
			return b2i((t == transportTLS && isTLS) || (t == transportRaw && !isTLS))
		})
	chains = narrow(chains, func(m *listener.FilterChainMatch) bool { return len(m.GetApplicationProtocols()) > 0 },
		func(m *listener.FilterChainMatch) int {
			return b2i(alpn != "" && slices.Contains(m.GetApplicationProtocols(), alpn))
		})
	if len(chains) == 0 {
		return nil
	}
	return chains[0]
}

// narrow keeps the best-ranked chains among those that set the field; when none of those match, the chains
// that leave the field unset (Envoy's fallback); when no chain sets it, all chains.
func narrow(chains []*listener.FilterChain, set func(*listener.FilterChainMatch) bool, rank func(*listener.FilterChainMatch) int) []*listener.FilterChain {
	anySet := false
	for _, c := range chains {
		anySet = anySet || set(c.GetFilterChainMatch())
	}
	if !anySet {
		return chains
	}
	best, byRank := 0, map[int][]*listener.FilterChain{}
	for _, c := range chains {
		if m := c.GetFilterChainMatch(); set(m) {
			if r := rank(m); r > 0 {
				byRank[r] = append(byRank[r], c)
				best = max(best, r)
			}
		}
	}
	if best > 0 {
		return byRank[best]
	}
	var unset []*listener.FilterChain
	for _, c := range chains {
		if !set(c.GetFilterChainMatch()) {
			unset = append(unset, c)
		}
	}
	return unset
}

func bestPrefix(ranges []*core.CidrRange, addr netip.Addr) int {
	best := 0
	for _, r := range ranges {
		p, err := netip.ParseAddr(r.GetAddressPrefix())
		if err != nil {
			continue
		}
		prefix, err := p.Prefix(int(r.GetPrefixLen().GetValue()))
		if err == nil && prefix.Contains(addr) {
			best = max(best, prefix.Bits()+1) // +1: a /0 match still ranks above no match
		}
	}
	return best
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// listenerFilterOnPort: the listener filter is configured and not disabled for the port (Istio disables the
// inspectors per port with a filter_disabled predicate).
func listenerFilterOnPort(l *listener.Listener, name string, port int) bool {
	for _, f := range l.ListenerFilters {
		if f.Name != name {
			continue
		}
		return f.GetFilterDisabled() == nil || !predicateMatches(f.GetFilterDisabled(), port)
	}
	return false
}

func predicateMatches(p *listener.ListenerFilterChainMatchPredicate, port int) bool {
	switch r := p.Rule.(type) {
	case *listener.ListenerFilterChainMatchPredicate_AnyMatch:
		return r.AnyMatch
	case *listener.ListenerFilterChainMatchPredicate_NotMatch:
		return !predicateMatches(r.NotMatch, port)
	case *listener.ListenerFilterChainMatchPredicate_OrMatch:
		for _, q := range r.OrMatch.GetRules() {
			if predicateMatches(q, port) {
				return true
			}
		}
		return false
	case *listener.ListenerFilterChainMatchPredicate_AndMatch:
		for _, q := range r.AndMatch.GetRules() {
			if !predicateMatches(q, port) {
				return false
			}
		}
		return true
	case *listener.ListenerFilterChainMatchPredicate_DestinationPortRange:
		return int32(port) >= r.DestinationPortRange.GetStart() && int32(port) < r.DestinationPortRange.GetEnd()
	}
	return false
}
