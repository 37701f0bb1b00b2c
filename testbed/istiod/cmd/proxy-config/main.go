// Command proxy-config connects to the test bed's istiod (meshform-istiod) over xDS as the proxy of a given pod
// and prints, as JSON, what that proxy would do: per inbound port whether it accepts plaintext, requires Istio
// mTLS, or both; per destination service whether it originates Istio mTLS; and the RBAC / ext_authz filters
// istiod generated. The output format is documented in testbed/README.md ("proxy-config").
//
//	proxy-config --pod NAMESPACE/NAME [--pod ...] [--destination HOST[:PORT] ...] [--port N ...]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	istiolog "istio.io/istio/pkg/log"
	"istio.io/istio/pkg/version"

	"meshform.io/testbed/istiod/internal/probe"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// Output is the document printed on stdout.
type Output struct {
	IstioVersion string        `json:"istioVersion"` // the Istio version of the probe and control plane code
	Proxies      []ProxyReport `json:"proxies"`
}

// ProxyReport is one pod's proxy.
type ProxyReport struct {
	Pod             string              `json:"pod"`
	IP              string              `json:"ip"`
	NodeType        string              `json:"nodeType"` // sidecar or router (gateway)
	SidecarInjected bool                `json:"sidecarInjected"`
	Revision        string              `json:"revision"`
	ServiceAccount  string              `json:"serviceAccount"`
	Labels          map[string]string   `json:"labels"`
	Pushes          int                 `json:"pushes"` // xDS responses received before the answer settled
	Inbound         []probe.InboundPort `json:"inbound"`
	Outbound        []probe.Destination `json:"outbound"`
	Authorization   []probe.ChainAuthz  `json:"authorization"`
	Raw             *probe.Raw          `json:"raw,omitempty"` // with --raw: everything istiod sent, as Envoy JSON
	Error           string              `json:"error,omitempty"`
}

func main() {
	var pods, destinations, ports list
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the test bed")
	runDir := flag.String("run-dir", defaultRunDir(), "meshform-istiod's run directory (holds REVISION.xds.sock)")
	xdsSocket := flag.String("xds-socket", "", "xDS socket to use instead of RUN_DIR/REVISION.xds.sock")
	revision := flag.String("revision", "default", "revision to ask when the pod names none (injector status, istio.io/rev)")
	domain := flag.String("domain", "cluster.local", "cluster DNS domain")
	settle := flag.Duration("settle", 500*time.Millisecond, "wait until istiod has pushed nothing new for this long")
	timeout := flag.Duration("timeout", 30*time.Second, "give up on a pod after this long")
	raw := flag.Bool("raw", false, "also print the listeners, routes, clusters and endpoints istiod sent (Envoy JSON)")
	flag.Var(&pods, "pod", "NAMESPACE/NAME of a pod to probe (repeatable)")
	flag.Var(&destinations, "destination", "HOST[:PORT] of a destination service, e.g. mongo.db or mongo.db.svc.cluster.local:27017, "+
		"or IP:PORT of an address such as a pod IP (repeatable)")
	flag.Var(&ports, "port", "an inbound port to evaluate besides the pod's container ports and the chains' ports (repeatable)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: proxy-config --pod NAMESPACE/NAME [--pod ...] [--destination HOST[:PORT] ...] [--port N ...] [flags]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if len(pods) == 0 || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	var extraPorts []int
	for _, p := range ports {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			fail("--port %q is not a port number", p)
		}
		extraPorts = append(extraPorts, n)
	}
	type dest struct {
		host string
		port int
	}
	var dests []dest
	for _, d := range destinations {
		host, port := d, 0
		if i := strings.LastIndex(d, ":"); i > 0 {
			n, err := strconv.Atoi(d[i+1:])
			if err != nil || n <= 0 || n > 65535 {
				fail("--destination %q: the port after ':' is not a port number", d)
			}
			host, port = d[:i], n
		}
		if _, err := netip.ParseAddr(host); err == nil && port == 0 {
			fail("--destination %q: an address needs a port (IP:PORT)", d)
		}
		if strings.Count(host, ".") == 1 { // name.namespace
			host += ".svc." + *domain
		}
		dests = append(dests, dest{host, port})
	}
	// stdout carries only the JSON document: Istio's logging (which also receives client-go's klog lines, such as
	// its client-side throttling notices) defaults to stdout.
	logOptions := istiolog.DefaultOptions()
	logOptions.OutputPaths = []string{"stderr"}
	if err := istiolog.Configure(logOptions); err != nil {
		fail("logging: %v", err)
	}
	restConfig, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail("kubeconfig %q: %v", *kubeconfig, err)
	}
	// One probe reads every pod it is given (a test probes dozens at once); client-go's default of 5 requests per
	// second would make it wait a second per few pods. The local API server needs no such protection.
	restConfig.QPS, restConfig.Burst = 200, 400
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		fail("%v", err)
	}

	out := Output{IstioVersion: version.Info.Version, Proxies: make([]ProxyReport, len(pods))}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, ref := range pods {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r := &out.Proxies[i]
			r.Pod = ref
			ns, name, ok := strings.Cut(ref, "/")
			if !ok || ns == "" || name == "" {
				r.Error = "--pod must be NAMESPACE/NAME"
				return
			}
			ctx := context.Background()
			pod, err := client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				r.Error = err.Error()
				return
			}
			p, err := probe.NewProxy(pod, *domain, version.Info.Version, *revision)
			if err != nil {
				r.Error = err.Error()
				return
			}
			r.IP, r.NodeType, r.SidecarInjected, r.Revision = p.IP, p.Type, p.SidecarInjected, p.Revision
			r.ServiceAccount, r.Labels = p.Metadata.ServiceAccount, p.Metadata.Labels
			socket := *xdsSocket
			if socket == "" {
				socket = filepath.Join(*runDir, p.Revision+".xds.sock")
			}
			if _, err := os.Stat(socket); err != nil {
				r.Error = fmt.Sprintf("no control plane serves revision %q (%s is missing): is Istio installed and "+
					"meshform-istiod running? (bin/dev-cluster istiod status)", p.Revision, socket)
				return
			}
			cfg, err := probe.Fetch(ctx, socket, p, probe.FetchOptions{Settle: *settle, Timeout: *timeout})
			if err != nil {
				r.Error = err.Error()
				return
			}
			r.Pushes = cfg.Pushes
			r.Inbound = []probe.InboundPort{}
			if p.Type == "sidecar" {
				r.Inbound = append(r.Inbound, probe.Inbound(cfg.Listeners, p.IP, probe.InboundPorts(cfg.Listeners, p.ContainerPorts, extraPorts))...)
			}
			r.Outbound = []probe.Destination{}
			for _, d := range dests {
				r.Outbound = append(r.Outbound, probe.Outbound(cfg, d.host, d.port)...)
			}
			r.Authorization = append([]probe.ChainAuthz{}, probe.Authorization(cfg.Listeners, p.Type == "router")...)
			if *raw {
				if r.Raw, err = probe.RawOf(cfg); err != nil {
					r.Error = "--raw: " + err.Error()
				}
			}
		}()
	}
	wg.Wait()
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
	failed := false
	for _, r := range out.Proxies {
		if r.Error != "" {
			fmt.Fprintf(os.Stderr, "proxy-config: %s: %s\n", r.Pod, r.Error)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func defaultRunDir() string {
	if d := os.Getenv("MESHFORM_CLUSTER_DIR"); d != "" {
		return filepath.Join(d, "istiod")
	}
	home, _ := os.UserHomeDir()
	cache := os.Getenv("MESHFORM_CACHE")
	if cache == "" {
		cache = filepath.Join(home, ".cache", "meshform")
	}
	return filepath.Join(cache, "cluster", "istiod")
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "proxy-config: "+format+"\n", args...)
	os.Exit(2)
}
