package probe

import (
	"context"
	"fmt"
	"net"
	"time"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	v3 "istio.io/istio/pilot/pkg/xds/v3"
)

// Config is what istiod sent the proxy: listeners, their route configurations, clusters, and the endpoints of the
// EDS clusters.
type Config struct {
	Listeners []*listener.Listener
	Routes    map[string]*route.RouteConfiguration
	Clusters  []*cluster.Cluster
	Endpoints map[string]*endpoint.ClusterLoadAssignment
	Pushes    int // full responses received (initial ones included)
}

// routeNames are the RDS route configurations the listeners' HTTP connection managers name.
func routeNames(listeners []*listener.Listener) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range listeners {
		for _, fc := range append(append([]*listener.FilterChain{}, l.FilterChains...), l.DefaultFilterChain) {
			if m := httpConnectionManager(fc); m != nil && m.GetRds() != nil && !seen[m.GetRds().RouteConfigName] {
				seen[m.GetRds().RouteConfigName] = true
				out = append(out, m.GetRds().RouteConfigName)
			}
		}
	}
	return out
}

// FetchOptions bound the exchange.
type FetchOptions struct {
	// Settle: after the first answers, keep the stream open until istiod has pushed nothing new for this long,
	// so configuration written just before the probe (and delivered to istiod by its informers, debounced by
	// PILOT_DEBOUNCE_AFTER, 100 ms by default) is included.
	Settle  time.Duration
	Timeout time.Duration
}

// Fetch opens an ADS stream to istiod's xDS server on a Unix socket, the same exchange Istio's own xDS tests make
// (pilot/pkg/xds/adstest.go: StreamAggregatedResources, request, response, ACK): CDS and LDS, then EDS for the
// clusters that use it and RDS for the routes the listeners name, ACKing every response, until istiod has been
// quiet for Settle.
func Fetch(ctx context.Context, socket string, p *Proxy, o FetchOptions) (*Config, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	conn, err := grpc.NewClient("passthrough:///istiod",
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		}))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stream, err := discovery.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		return nil, fmt.Errorf("xDS stream to %s: %v", socket, err)
	}
	node := &core.Node{Id: p.ID, Metadata: p.Metadata.ToStruct()}
	send := func(typeURL string, names []string, ack *discovery.DiscoveryResponse) error {
		req := &discovery.DiscoveryRequest{Node: node, TypeUrl: typeURL, ResourceNames: names}
		if ack != nil {
			req.VersionInfo, req.ResponseNonce = ack.VersionInfo, ack.Nonce
		}
		return stream.Send(req)
	}
	if err := send(v3.ClusterType, nil, nil); err != nil {
		return nil, err
	}
	if err := send(v3.ListenerType, nil, nil); err != nil {
		return nil, err
	}

	responses := make(chan *discovery.DiscoveryResponse)
	errs := make(chan error, 1)
	go func() {
		for {
			r, err := stream.Recv()
			if err != nil {
				errs <- err
				return
			}
			select {
			case responses <- r:
			case <-ctx.Done():
				return
			}
		}
	}()

	cfg := &Config{Endpoints: map[string]*endpoint.ClusterLoadAssignment{}, Routes: map[string]*route.RouteConfiguration{}}
	var edsNames, rdsNames []string
	gotCDS, gotLDS, gotEDS, gotRDS := false, false, false, false
	var quiet <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no complete answer from istiod within %v (CDS %v, LDS %v, EDS %v, RDS %v)", o.Timeout, gotCDS, gotLDS, gotEDS, gotRDS)
		case err := <-errs:
			return nil, fmt.Errorf("xDS stream: %v", err)
		case <-quiet:
			return cfg, nil
		case r := <-responses:
			cfg.Pushes++
			switch r.TypeUrl {
			case v3.ClusterType:
				gotCDS = true
				cfg.Clusters = cfg.Clusters[:0]
				edsNames = edsNames[:0]
				for _, a := range r.Resources {
					c := &cluster.Cluster{}
					if err := a.UnmarshalTo(c); err != nil {
						return nil, err
					}
					cfg.Clusters = append(cfg.Clusters, c)
					if c.GetType() == cluster.Cluster_EDS {
						edsNames = append(edsNames, c.Name)
					}
				}
				if err := send(v3.ClusterType, nil, r); err != nil {
					return nil, err
				}
				gotEDS = len(edsNames) == 0
				if !gotEDS {
					if err := send(v3.EndpointType, edsNames, nil); err != nil {
						return nil, err
					}
				}
			case v3.ListenerType:
				gotLDS = true
				cfg.Listeners = cfg.Listeners[:0]
				for _, a := range r.Resources {
					l := &listener.Listener{}
					if err := a.UnmarshalTo(l); err != nil {
						return nil, err
					}
					cfg.Listeners = append(cfg.Listeners, l)
				}
				if err := send(v3.ListenerType, nil, r); err != nil {
					return nil, err
				}
				rdsNames = routeNames(cfg.Listeners)
				gotRDS = len(rdsNames) == 0
				if !gotRDS {
					if err := send(v3.RouteType, rdsNames, nil); err != nil {
						return nil, err
					}
				}
			case v3.RouteType:
				gotRDS = true
				for _, a := range r.Resources {
					rc := &route.RouteConfiguration{}
					if err := a.UnmarshalTo(rc); err != nil {
						return nil, err
					}
					cfg.Routes[rc.Name] = rc
				}
				if err := send(v3.RouteType, rdsNames, r); err != nil {
					return nil, err
				}
			case v3.EndpointType:
				gotEDS = true
				for _, a := range r.Resources {
					e := &endpoint.ClusterLoadAssignment{}
					if err := a.UnmarshalTo(e); err != nil {
						return nil, err
					}
					cfg.Endpoints[e.ClusterName] = e
				}
				if err := send(v3.EndpointType, edsNames, r); err != nil {
					return nil, err
				}
			default:
				// Only the types requested are pushed; anything else is ignored.
			}
			if gotCDS && gotLDS && gotEDS && gotRDS {
				quiet = time.After(o.Settle)
			}
		}
	}
}
