package probe

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/types/known/structpb"
)

// Transport kinds of an upstream connection.
const (
	IstioMutual = "ISTIO_MUTUAL" // Istio mTLS: the workload certificate from SDS "default", peer checked against ROOTCA
	OtherTLS    = "TLS"          // TLS origination that is not Istio's (DestinationRule SIMPLE or MUTUAL with own certificates)
	Plaintext   = "PLAINTEXT"    // no TLS
)

// TransportOption is one of a cluster's transport sockets and the endpoint metadata that selects it
// (transport_socket_matches; an empty match selects every endpoint, the cluster-level socket is the default).
type TransportOption struct {
	Match     map[string]string `json:"match"`          // transport_socket_matches entry ({} selects every endpoint)
	Default   bool              `json:"clusterDefault"` // the cluster-level transport_socket, used when no match applies
	Transport string            `json:"transport"`
	SNI       string            `json:"sni,omitempty"`
	ALPN      []string          `json:"alpn,omitempty"`
}

// DestinationEndpoint is one endpoint of the cluster and the transport Envoy would pick for it.
type DestinationEndpoint struct {
	Address   string            `json:"address"`
	Port      int               `json:"port"`
	Metadata  map[string]string `json:"metadata,omitempty"` // envoy.transport_socket_match: tlsMode=istio for endpoints with a sidecar
	Transport string            `json:"transport"`
}

// Destination is what the client side does towards one service port.
type Destination struct {
	Host      string                `json:"host"`
	Port      int                   `json:"port"`
	Subset    string                `json:"subset,omitempty"`
	Cluster   string                `json:"cluster"`
	Via       string                `json:"via,omitempty"` // for an address: the listener, chain and call that lead to the cluster
	Type      string                `json:"type"`          // EDS, ORIGINAL_DST, STATIC, ...
	Options   []TransportOption     `json:"transportOptions"`
	Endpoints []DestinationEndpoint `json:"endpoints"`
	// OriginatesMTLS: every endpoint (or, without endpoints, every transport option) gets Istio mTLS.
	OriginatesMTLS bool `json:"originatesMtls"`
	// MTLSToSidecarsOnly: Istio mTLS only to endpoints labelled tlsMode=istio (auto mTLS), plaintext to others.
	MTLSToSidecarsOnly bool `json:"mtlsToSidecarsOnly"`
}

// Outbound lists the client-side clusters for host (an FQDN such as mongo.db.svc.cluster.local) and, when port is
// not 0, only that port. Istio names them outbound|PORT|SUBSET|HOST (pilot/pkg/model.BuildSubsetKey).
func Outbound(cfg *Config, host string, port int) []Destination {
	if _, err := netip.ParseAddr(host); err == nil && port != 0 {
		return OutboundIP(cfg, host, port)
	}
	var out []Destination
	for _, c := range cfg.Clusters {
		parts := strings.Split(c.Name, "|")
		if len(parts) != 4 || parts[0] != "outbound" || parts[3] != host {
			continue
		}
		p, _ := strconv.Atoi(parts[1])
		if port != 0 && p != port {
			continue
		}
		d := Destination{Host: host, Port: p, Subset: parts[2], Cluster: c.Name, Type: clusterType(c),
			Options: clusterOptions(c), Endpoints: []DestinationEndpoint{}}
		if cla := cfg.Endpoints[c.Name]; cla != nil {
			d.Endpoints = endpoints(cla, d.Options)
		}
		d.OriginatesMTLS, d.MTLSToSidecarsOnly = summarize(d)
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Port != out[j].Port {
			return out[i].Port < out[j].Port
		}
		return out[i].Subset < out[j].Subset
	})
	return out
}

// clusterOptions are the cluster's transport_socket_matches in order, then its own transport socket.
func clusterOptions(c *cluster.Cluster) []TransportOption {
	var out []TransportOption
	for _, m := range c.TransportSocketMatches {
		out = append(out, option(structToMap(m.GetMatch()), m.GetTransportSocket()))
	}
	def := option(map[string]string{}, c.GetTransportSocket())
	def.Default = true
	return append(out, def)
}

func clusterType(c *cluster.Cluster) string {
	if t, ok := c.ClusterDiscoveryType.(*cluster.Cluster_Type); ok {
		return t.Type.String()
	}
	return "CUSTOM"
}

func option(match map[string]string, ts *core.TransportSocket) TransportOption {
	o := TransportOption{Match: match, Transport: Plaintext}
	if ts == nil || ts.GetTypedConfig() == nil {
		return o
	}
	t := &tlsv3.UpstreamTlsContext{}
	if err := ts.GetTypedConfig().UnmarshalTo(t); err != nil {
		return o // raw_buffer or another non-TLS socket
	}
	o.Transport, o.SNI, o.ALPN = OtherTLS, t.GetSni(), t.GetCommonTlsContext().GetAlpnProtocols()
	sds := t.GetCommonTlsContext().GetTlsCertificateSdsSecretConfigs()
	if len(sds) > 0 && sds[0].GetName() == "default" {
		o.Transport = IstioMutual
	}
	return o
}

func structToMap(s *structpb.Struct) map[string]string {
	m := map[string]string{}
	for k, v := range s.GetFields() {
		m[k] = fmt.Sprint(v.AsInterface())
	}
	return m
}

// endpoints applies Envoy's transport_socket_matches: the first option whose match is a subset of the endpoint's
// envoy.transport_socket_match metadata, else the cluster-level socket (the last option).
func endpoints(cla *endpoint.ClusterLoadAssignment, options []TransportOption) []DestinationEndpoint {
	var out []DestinationEndpoint
	for _, loc := range cla.Endpoints {
		for _, lb := range loc.LbEndpoints {
			sa := lb.GetEndpoint().GetAddress().GetSocketAddress()
			meta := structToMap(lb.GetMetadata().GetFilterMetadata()["envoy.transport_socket_match"])
			e := DestinationEndpoint{Address: sa.GetAddress(), Port: int(sa.GetPortValue()), Metadata: meta}
			e.Transport = options[len(options)-1].Transport
			for _, o := range options[:len(options)-1] {
				if subset(o.Match, meta) {
					e.Transport = o.Transport
					break
				}
			}
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out
}

func subset(match, meta map[string]string) bool {
	for k, v := range match {
		if meta[k] != v {
			return false
		}
	}
	return true
}

func summarize(d Destination) (all, sidecarsOnly bool) {
	// Options after the first one that matches every endpoint are never used.
	var reachable []TransportOption
	for _, o := range d.Options {
		reachable = append(reachable, o)
		if len(o.Match) == 0 {
			break
		}
	}
	if len(d.Endpoints) > 0 {
		all = true
		for _, e := range d.Endpoints {
			all = all && e.Transport == IstioMutual
		}
	} else {
		all = len(reachable) > 0
		for _, o := range reachable {
			all = all && o.Transport == IstioMutual
		}
	}
	for _, o := range reachable {
		if o.Transport == IstioMutual && o.Match["tlsMode"] == "istio" {
			sidecarsOnly = !all
		}
	}
	return all, sidecarsOnly
}
