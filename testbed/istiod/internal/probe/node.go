// Package probe asks the test bed's istiod, over xDS, for the configuration it sends to one pod's proxy, and
// reads from it what a reviewer asks: per inbound port, does the proxy accept plaintext, Istio mTLS or both; per
// destination service, does the client originate Istio mTLS; which RBAC and ext_authz rules guard its HTTP and
// TCP filter chains. No Envoy runs: the answers come from the listeners and clusters istiod computed.
package probe

import (
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	meshconfig "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pkg/bootstrap"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/model"
	"istio.io/istio/pkg/util/protomarshal"
)

// Proxy is the identity a probe connects with: what pilot-agent in the pod's istio-proxy container would send.
type Proxy struct {
	Pod             string // namespace/name
	Namespace       string
	IP              string
	Type            string // sidecar or router
	SidecarInjected bool   // the pod has an istio-proxy container (or native sidecar) from the injector
	Revision        string
	ID              string
	Metadata        *model.NodeMetadata
	ContainerPorts  []int
}

const proxyContainer = "istio-proxy"

// sidecarOf returns the injected istio-proxy container: a regular container, or a native sidecar (an init
// container with restartPolicy Always).
func sidecarOf(pod *corev1.Pod) *corev1.Container {
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == proxyContainer {
			return &pod.Spec.Containers[i]
		}
	}
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name == proxyContainer {
			return &pod.Spec.InitContainers[i]
		}
	}
	return nil
}

// resolvedEnv is the container's environment as the kubelet would give it: literal values and the downward-API
// fields Istio's injection template uses.
func resolvedEnv(pod *corev1.Pod, c *corev1.Container) []string {
	var env []string
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env = append(env, e.Name+"="+e.Value)
			continue
		}
		if f := e.ValueFrom.FieldRef; f != nil {
			v := ""
			switch f.FieldPath {
			case "metadata.name":
				v = pod.Name
			case "metadata.namespace":
				v = pod.Namespace
			case "spec.serviceAccountName":
				v = pod.Spec.ServiceAccountName
			case "spec.nodeName":
				v = pod.Spec.NodeName
			case "status.podIP":
				v = pod.Status.PodIP
			case "status.hostIP":
				v = pod.Status.HostIP
			default:
				continue
			}
			env = append(env, e.Name+"="+v)
		}
	}
	return env
}

// revisionOf reads the revision that injected the pod from the injector's status annotation, else the pod's
// istio.io/rev label, else fallback.
func revisionOf(pod *corev1.Pod, fallback string) string {
	if s := pod.Annotations["sidecar.istio.io/status"]; s != "" {
		var status struct {
			Revision string `json:"revision"`
		}
		if json.Unmarshal([]byte(s), &status) == nil && status.Revision != "" {
			return status.Revision
		}
	}
	if r := pod.Labels["istio.io/rev"]; r != "" {
		return r
	}
	return fallback
}

// NewProxy builds the node identity and metadata for pod with Istio's own pilot-agent code
// (istio.io/istio/pkg/bootstrap GetNodeMetaData, which turns the ISTIO_META_* environment of the istio-proxy
// container into node metadata), then adds the pod's labels and annotations as the agent reads them from the
// downward-API volume. A pod without an injected proxy is probed as if it had one with the same labels, so the
// output still answers "what would istiod configure"; SidecarInjected says which case it is.
func NewProxy(pod *corev1.Pod, domain, istioVersion, revisionFallback string) (*Proxy, error) {
	if pod.Status.PodIP == "" {
		return nil, fmt.Errorf("pod %s/%s has no IP yet (not scheduled or not Running)", pod.Namespace, pod.Name)
	}
	p := &Proxy{
		Pod: pod.Namespace + "/" + pod.Name, Namespace: pod.Namespace, IP: pod.Status.PodIP, Type: "sidecar",
		Revision: revisionOf(pod, revisionFallback),
	}
	var env []string
	proxyConfig := mesh.DefaultProxyConfig()
	if c := sidecarOf(pod); c != nil {
		p.SidecarInjected = true
		env = resolvedEnv(pod, c)
		for _, a := range c.Args {
			if a == "router" {
				p.Type = "router"
			}
		}
		for _, e := range env {
			if v, ok := strings.CutPrefix(e, "PROXY_CONFIG="); ok && strings.TrimSpace(v) != "" {
				pc := &meshconfig.ProxyConfig{}
				if err := protomarshal.ApplyJSON(v, pc); err == nil {
					proxyConfig = pc
				}
			}
		}
	} else {
		// What the injection template sets for every sidecar (ISTIO_META_* of istio-proxy).
		env = []string{"ISTIO_META_CLUSTER_ID=Kubernetes", "ISTIO_META_INTERCEPTION_MODE=REDIRECT",
			"ISTIO_META_WORKLOAD_NAME=" + pod.Name}
	}
	for _, c := range pod.Spec.Containers {
		if c.Name == proxyContainer {
			continue // the proxy's own ports (15090) are not the application's
		}
		for _, port := range c.Ports {
			if port.Protocol == "" || port.Protocol == corev1.ProtocolTCP {
				p.ContainerPorts = append(p.ContainerPorts, int(port.ContainerPort))
			}
		}
	}
	var ips []string
	for _, ip := range pod.Status.PodIPs {
		ips = append(ips, ip.IP)
	}
	if len(ips) == 0 {
		ips = []string{pod.Status.PodIP}
	}
	p.ID = fmt.Sprintf("%s~%s~%s.%s~%s.svc.%s", p.Type, p.IP, pod.Name, pod.Namespace, pod.Namespace, domain)
	node, err := bootstrap.GetNodeMetaData(bootstrap.MetadataOptions{
		Envs: env, InstanceIPs: ips, ID: p.ID, ProxyConfig: proxyConfig,
	})
	if err != nil {
		return nil, err
	}
	meta := node.Metadata.NodeMetadata
	if meta.IstioVersion == "" || !p.SidecarInjected {
		meta.IstioVersion = istioVersion
	}
	meta.Namespace = pod.Namespace
	if meta.ServiceAccount == "" {
		meta.ServiceAccount = pod.Spec.ServiceAccountName
	}
	meta.Labels = map[string]string{}
	for k, v := range pod.Labels {
		if k != bootstrap.DefaultDeploymentUniqueLabelKey {
			meta.Labels[k] = v
		}
	}
	meta.Annotations = map[string]string{}
	for k, v := range pod.Annotations {
		meta.Annotations[k] = v
	}
	if meta.ClusterID == "" {
		meta.ClusterID = "Kubernetes"
	}
	p.Metadata = &meta
	return p, nil
}
