package probe

import (
	"fmt"
	"strconv"
	"strings"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	tcp "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
)

// virtualOutbound is the listener the sidecar's iptables redirect sends outbound connections to
// (pilot/pkg/model VirtualOutboundListenerName); it hands each to the listener bound to the original destination.
const virtualOutbound = "virtualOutbound"

// OutboundIP answers for a connection to an address rather than a service name (a pod IP, as Spark's driver and
// executors use, or a headless service's endpoint): Envoy's listener for the original destination (IP:PORT, else
// 0.0.0.0:PORT, else virtualOutbound itself), its filter chain for a plaintext TCP and a plaintext HTTP/1.1
// connection from the application, and the cluster that chain sends it to (tcp_proxy, or the HTTP route for
// Host IP:PORT). Each distinct cluster is one Destination, with Via naming how it was reached; for an EDS cluster
// only the endpoint with that address is kept.
func OutboundIP(cfg *Config, ip string, port int) []Destination {
	l := outboundListener(cfg.Listeners, ip, port)
	if l == nil {
		return []Destination{{Host: ip, Port: port, Via: "no outbound listener for " + ip + ":" + strconv.Itoa(port),
			Options: []TransportOption{}, Endpoints: []DestinationEndpoint{}}}
	}
	var out []Destination
	seen := map[string]int{}
	for _, c := range []Call{{Name: "plaintext-tcp"}, {Name: "plaintext-http", ALPN: "http/1.1"}} {
		alpn := c.ALPN
		if !listenerFilterOnPort(l, httpInspector, port) {
			alpn = ""
		}
		fc := matchFilterChain(l.FilterChains, ip, port, false, listenerFilterOnPort(l, tlsInspector, port), alpn)
		if fc == nil {
			fc = l.DefaultFilterChain
		}
		via := fmt.Sprintf("%s: listener %s, filter chain %q", c.Name, l.Name, fc.GetName())
		name := chainCluster(cfg, fc, fmt.Sprintf("%s:%d", ip, port))
		if name == "" {
			via += ", no cluster (the connection is closed)"
		}
		if i, ok := seen[name]; ok {
			out[i].Via += "; " + via
			continue
		}
		d := destinationFor(cfg, name, ip, port)
		d.Via = via
		seen[name] = len(out)
		out = append(out, d)
	}
	return out
}

func outboundListener(listeners []*listener.Listener, ip string, port int) *listener.Listener {
	for _, want := range []string{ip, "0.0.0.0"} {
		for _, l := range listeners {
			sa := l.GetAddress().GetSocketAddress()
			if sa.GetAddress() == want && int(sa.GetPortValue()) == port {
				return l
			}
		}
	}
	for _, l := range listeners {
		if l.Name == virtualOutbound {
			return l
		}
	}
	return nil
}

// chainCluster is where the chain sends the connection: tcp_proxy's cluster (the first of weighted clusters), or
// for HTTP the cluster of the first route of the virtual host that matches authority.
func chainCluster(cfg *Config, fc *listener.FilterChain, authority string) string {
	if fc == nil {
		return ""
	}
	if m := httpConnectionManager(fc); m != nil {
		rc := m.GetRouteConfig()
		if rc == nil {
			rc = cfg.Routes[m.GetRds().GetRouteConfigName()]
		}
		vh := matchVirtualHost(rc, authority)
		for _, r := range vh.GetRoutes() {
			if a := r.GetRoute(); a != nil {
				if c := a.GetCluster(); c != "" {
					return c
				}
				if w := a.GetWeightedClusters().GetClusters(); len(w) > 0 {
					return w[0].GetName()
				}
			}
		}
		return ""
	}
	for _, f := range fc.GetFilters() {
		t := &tcp.TcpProxy{}
		if f.GetTypedConfig().UnmarshalTo(t) == nil {
			if c := t.GetCluster(); c != "" {
				return c
			}
			if w := t.GetWeightedClusters().GetClusters(); len(w) > 0 {
				return w[0].GetName()
			}
		}
	}
	return ""
}

// matchVirtualHost follows Envoy's domain matching: exact, then the longest suffix wildcard (*.x), then the
// longest prefix wildcard (x*), then "*".
func matchVirtualHost(rc *route.RouteConfiguration, authority string) *route.VirtualHost {
	var suffix, prefix, any *route.VirtualHost
	suffixLen, prefixLen := -1, -1
	for _, vh := range rc.GetVirtualHosts() {
		for _, d := range vh.GetDomains() {
			switch {
			case d == authority:
				return vh
			case d == "*":
				any = vh
			case strings.HasPrefix(d, "*") && strings.HasSuffix(authority, d[1:]) && len(d) > suffixLen:
				suffix, suffixLen = vh, len(d)
			case strings.HasSuffix(d, "*") && strings.HasPrefix(authority, d[:len(d)-1]) && len(d) > prefixLen:
				prefix, prefixLen = vh, len(d)
			}
		}
	}
	switch {
	case suffix != nil:
		return suffix
	case prefix != nil:
		return prefix
	}
	return any
}

// destinationFor describes a cluster by name, keeping only the endpoint at ip when it has endpoints.
func destinationFor(cfg *Config, name, ip string, port int) Destination {
	d := Destination{Host: ip, Port: port, Cluster: name, Options: []TransportOption{}, Endpoints: []DestinationEndpoint{}}
	var c *cluster.Cluster
	for _, x := range cfg.Clusters {
		if x.Name == name {
			c = x
		}
	}
	if c == nil {
		return d
	}
	d.Type = clusterType(c)
	d.Options = clusterOptions(c)
	if cla := cfg.Endpoints[name]; cla != nil {
		for _, e := range endpoints(cla, d.Options) {
			if e.Address == ip {
				d.Endpoints = append(d.Endpoints, e)
			}
		}
	}
	d.OriginatesMTLS, d.MTLSToSidecarsOnly = summarize(d)
	return d
}
