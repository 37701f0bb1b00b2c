// Wrapper module that builds the test bed's control plane (testbed/istiod, the same sources) from the next Istio
// release's module, as testbed/istioctl-next does for istioctl: a revision that istioctl-next installs (the upgrade
// test) is then served by istiod code of its own version. Maintained by hand; the replaces are istioctl-next's.
module meshform.io/testbed/istiod-next

go 1.26.0

require (
	istio.io/istio v0.0.0-20260827124520-eed52ebb66ad
	meshform.io/testbed/istiod v0.0.0
)

replace meshform.io/testbed/istiod => ../istiod

// See testbed/istioctl-next/go.mod.
replace (
	github.com/envoyproxy/go-control-plane/contrib => github.com/envoyproxy/go-control-plane/contrib v1.36.1-0.20260713214202-ca8ce173c36f
	github.com/envoyproxy/go-control-plane/envoy => github.com/envoyproxy/go-control-plane/envoy v1.39.0
	istio.io/api => istio.io/api v1.31.0
	istio.io/client-go => istio.io/client-go v1.31.0
)
