package probe

import (
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"
)

func upstream(t *testing.T, secret string) *core.TransportSocket {
	a, err := anypb.New(&tlsv3.UpstreamTlsContext{CommonTlsContext: &tlsv3.CommonTlsContext{
		TlsCertificateSdsSecretConfigs: []*tlsv3.SdsSecretConfig{{Name: secret}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return &core.TransportSocket{Name: "tls", ConfigType: &core.TransportSocket_TypedConfig{TypedConfig: a}}
}

func lbEndpoint(ip string, tlsMode string) *endpoint.LbEndpoint {
	e := &endpoint.LbEndpoint{HostIdentifier: &endpoint.LbEndpoint_Endpoint{Endpoint: &endpoint.Endpoint{Address: &core.Address{
		Address: &core.Address_SocketAddress{SocketAddress: &core.SocketAddress{Address: ip, PortSpecifier: &core.SocketAddress_PortValue{PortValue: 8080}}}}}}}
	if tlsMode != "" {
		m, _ := structpb.NewStruct(map[string]any{"tlsMode": tlsMode})
		e.Metadata = &core.Metadata{FilterMetadata: map[string]*structpb.Struct{"envoy.transport_socket_match": m}}
	}
	return e
}

// Auto mTLS as istiod builds it: a tlsMode=istio match with Istio's certificates, then plaintext.
func TestAutoMTLSPerEndpoint(t *testing.T) {
	istio, _ := structpb.NewStruct(map[string]any{"tlsMode": "istio"})
	const name = "outbound|80||web.demo.svc.cluster.local"
	cfg := &Config{
		Clusters: []*cluster.Cluster{{
			Name:                 name,
			ClusterDiscoveryType: &cluster.Cluster_Type{Type: cluster.Cluster_EDS},
			TransportSocketMatches: []*cluster.Cluster_TransportSocketMatch{
				{Name: "tlsMode-istio", Match: istio, TransportSocket: upstream(t, "default")},
				{Name: "tlsMode-disabled", Match: &structpb.Struct{}, TransportSocket: nil},
			},
		}, {Name: "outbound|80||other.demo.svc.cluster.local"}},
		Endpoints: map[string]*endpoint.ClusterLoadAssignment{name: {ClusterName: name, Endpoints: []*endpoint.LocalityLbEndpoints{{
			LbEndpoints: []*endpoint.LbEndpoint{lbEndpoint("10.0.0.1", "istio"), lbEndpoint("10.0.0.2", "")},
		}}}},
	}
	ds := Outbound(cfg, "web.demo.svc.cluster.local", 0)
	if len(ds) != 1 {
		t.Fatalf("got %d destinations, want 1: %+v", len(ds), ds)
	}
	d := ds[0]
	if d.Endpoints[0].Transport != IstioMutual || d.Endpoints[1].Transport != Plaintext {
		t.Errorf("endpoints: %+v", d.Endpoints)
	}
	if d.OriginatesMTLS || !d.MTLSToSidecarsOnly {
		t.Errorf("auto mTLS with one endpoint without sidecar: originates=%v sidecarsOnly=%v", d.OriginatesMTLS, d.MTLSToSidecarsOnly)
	}
}

func TestClusterLevelTransport(t *testing.T) {
	cfg := &Config{Clusters: []*cluster.Cluster{
		{Name: "outbound|443||api.example.com", TransportSocket: upstream(t, "file-cert:/etc/certs/client.pem")},
		{Name: "outbound|9000||minio.data.svc.cluster.local", TransportSocket: upstream(t, "default")},
	}}
	if d := Outbound(cfg, "api.example.com", 443)[0]; d.Options[0].Transport != OtherTLS || d.OriginatesMTLS {
		t.Errorf("DestinationRule SIMPLE/MUTUAL with own certificates is not Istio mTLS: %+v", d)
	}
	if d := Outbound(cfg, "minio.data.svc.cluster.local", 9000)[0]; !d.OriginatesMTLS {
		t.Errorf("ISTIO_MUTUAL on the cluster: %+v", d)
	}
}
