// Wrapper module for istioctl; maintained by hand (testbed/update-gomod.sh leaves it alone).
module meshform.io/testbed/istioctl

go 1.26.0

require istio.io/istio v0.0.0-20260826214018-9739e10eb9d7

// The Go module proxy reachable from these machines refuses (403) the exact istio.io/api, istio.io/client-go
// and envoy go-control-plane versions this istio commit requires. These are the nearest versions it serves;
// istioctl builds and renders with them. Revisit when testbed/versions.env moves to another Istio commit.
replace (
	github.com/envoyproxy/go-control-plane/contrib => github.com/envoyproxy/go-control-plane/contrib v1.36.1-0.20260713214202-ca8ce173c36f
	github.com/envoyproxy/go-control-plane/envoy => github.com/envoyproxy/go-control-plane/envoy v1.38.0
	istio.io/api => istio.io/api v1.30.8
	istio.io/client-go => istio.io/client-go v1.30.8
)
