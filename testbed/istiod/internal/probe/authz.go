package probe

import (
	"encoding/json"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	extauthzhttp "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_authz/v3"
	rbachttp "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"
	extauthznet "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/ext_authz/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	rbacnet "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/rbac/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// AuthzFilter is one RBAC or ext_authz filter as istiod generated it: its Envoy name and its typed config in
// Envoy's JSON form (proto field names, as in an Envoy config dump). Istio puts a CUSTOM AuthorizationPolicy
// into an RBAC filter whose shadow rules (shadow_rules_stat_prefix istio_ext_authz_) mark the requests for the
// ext_authz filter that follows; DENY and ALLOW policies are RBAC filters of their own
// (pilot/pkg/security/authz/builder).
type AuthzFilter struct {
	Name   string          `json:"name"`
	Type   string          `json:"type"` // the typed config's proto type
	Config json.RawMessage `json:"config"`
}

// PathNormalization is what the HTTP connection manager does to the path before the filters see it
// (meshConfig.pathNormalization becomes these fields; pilot/pkg/networking/core/listener_builder.go).
type PathNormalization struct {
	NormalizePath                bool   `json:"normalizePath"`
	MergeSlashes                 bool   `json:"mergeSlashes"`
	PathWithEscapedSlashesAction string `json:"pathWithEscapedSlashesAction"`
}

// ChainAuthz is a filter chain's authorization: the HTTP filters (in order) of its HTTP connection manager, or
// the network filters of a TCP chain.
type ChainAuthz struct {
	Listener    string             `json:"listener"`
	FilterChain string             `json:"filterChain"`
	Port        int                `json:"port,omitempty"` // the chain's destination port, when it matches one
	Protocol    string             `json:"protocol"`       // http or tcp
	Route       string             `json:"routeConfig,omitempty"`
	Path        *PathNormalization `json:"pathNormalization,omitempty"`
	Filters     []AuthzFilter      `json:"filters"`
}

var dump = protojson.MarshalOptions{UseProtoNames: true}

const hcmType = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"

// httpConnectionManager is the chain's HTTP connection manager, or nil for a TCP chain.
func httpConnectionManager(fc *listener.FilterChain) *hcm.HttpConnectionManager {
	for _, f := range fc.GetFilters() {
		if f.GetTypedConfig().GetTypeUrl() == hcmType {
			m := &hcm.HttpConnectionManager{}
			if f.GetTypedConfig().UnmarshalTo(m) == nil {
				return m
			}
		}
	}
	return nil
}

func authzFilter(name string, a *anypb.Any, msg proto.Message) (AuthzFilter, bool) {
	if a.UnmarshalTo(msg) != nil {
		return AuthzFilter{}, false
	}
	data, err := dump.Marshal(msg)
	if err != nil {
		return AuthzFilter{}, false
	}
	return AuthzFilter{Name: name, Type: string(msg.ProtoReflect().Descriptor().FullName()), Config: data}, true
}

// Authorization lists, for the inbound listener of a sidecar (only chains that carry RBAC or ext_authz filters)
// or for every listener of a gateway (all HTTP chains, with their path normalization), the authorization
// filters istiod generated.
func Authorization(listeners []*listener.Listener, gateway bool) []ChainAuthz {
	var out []ChainAuthz
	for _, l := range listeners {
		if !gateway && l.Name != virtualInbound {
			continue
		}
		for _, fc := range l.FilterChains {
			c := ChainAuthz{Listener: l.Name, FilterChain: fc.Name, Protocol: "tcp", Filters: []AuthzFilter{}}
			if p := fc.GetFilterChainMatch().GetDestinationPort(); p != nil {
				c.Port = int(p.Value)
			}
			for _, f := range fc.Filters {
				switch f.GetTypedConfig().GetTypeUrl() {
				case hcmType:
					m := &hcm.HttpConnectionManager{}
					if f.GetTypedConfig().UnmarshalTo(m) != nil {
						continue
					}
					c.Protocol = "http"
					c.Route = m.GetRds().GetRouteConfigName()
					c.Path = &PathNormalization{
						NormalizePath: m.GetNormalizePath().GetValue(), MergeSlashes: m.GetMergeSlashes(),
						PathWithEscapedSlashesAction: m.GetPathWithEscapedSlashesAction().String(),
					}
					for _, h := range m.HttpFilters {
						switch h.GetTypedConfig().GetTypeUrl() {
						case "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC":
							if a, ok := authzFilter(h.Name, h.GetTypedConfig(), &rbachttp.RBAC{}); ok {
								c.Filters = append(c.Filters, a)
							}
						case "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz":
							if a, ok := authzFilter(h.Name, h.GetTypedConfig(), &extauthzhttp.ExtAuthz{}); ok {
								c.Filters = append(c.Filters, a)
							}
						}
					}
				case "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC":
					if a, ok := authzFilter(f.Name, f.GetTypedConfig(), &rbacnet.RBAC{}); ok {
						c.Filters = append(c.Filters, a)
					}
				case "type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz":
					if a, ok := authzFilter(f.Name, f.GetTypedConfig(), &extauthznet.ExtAuthz{}); ok {
						c.Filters = append(c.Filters, a)
					}
				}
			}
			if len(c.Filters) > 0 || (gateway && c.Protocol == "http") {
				out = append(out, c)
			}
		}
	}
	return out
}
