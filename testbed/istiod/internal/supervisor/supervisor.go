// Package supervisor runs the test bed's istiod revisions out of cluster. kwok runs no container, so the istiod
// Deployments that istioctl installs never start anything; the supervisor plays the kubelet's part for them: for
// each istiod Deployment in the system namespace it runs one `meshform-istiod serve` process (Istio's control
// plane code, package controlplane) for that revision, stops it when the Deployment goes, and lets kwok mark the
// revision's istiod pods Ready only once that process serves. It also stands in for the cluster network the API
// server needs to call webhooks: kube-apiserver's `cluster` egress is an HTTP CONNECT proxy on a Unix socket,
// and the supervisor answers it, tunnelling connections for istiod Services to the right revision's webhook
// server and refusing every other destination at once.
package supervisor

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	appslisters "k8s.io/client-go/listers/apps/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

// ReadyAnnotation is set on an istiod pod once its revision's control plane serves; the kwok pod-ready stage
// in testbed/kwok-stages.yaml waits for it before marking istiod pods Ready.
const ReadyAnnotation = "meshform.io/control-plane"

// Options configure the supervisor.
type Options struct {
	Kubeconfig   string            // admin kubeconfig of the test bed
	Namespace    string            // Istio's system namespace
	RunDir       string            // sockets, per-revision kubeconfigs, ready files
	LogDir       string            // istiod-<revision>.log
	EgressSocket string            // kube-apiserver's `cluster` egress (HTTPConnect over UDS)
	Binary       string            // this meshform-istiod binary; it `serve`s revisions of its own Istio version
	Version      string            // the Istio version this binary is built from
	Others       map[string]string // meshform-istiod binaries built from other Istio versions, by version
}

// Supervisor is the running supervisor.
type Supervisor struct {
	opts        Options
	restConfig  *rest.Config
	client      kubernetes.Interface
	deployments appslisters.DeploymentNamespaceLister
	services    corelisters.ServiceNamespaceLister
	pods        corelisters.PodNamespaceLister
	poke        chan struct{}

	mu       sync.Mutex
	children map[string]*child // by revision
	lastErr  map[string]string // the last start error logged per revision, so a retry loop logs it once
}

// Run starts the supervisor and blocks until ctx is done, then stops every revision it started.
func Run(ctx context.Context, opts Options) error {
	restConfig, err := clientcmd.BuildConfigFromFlags("", opts.Kubeconfig)
	if err != nil {
		return fmt.Errorf("kubeconfig %s: %v", opts.Kubeconfig, err)
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return err
	}
	// Files of revisions an earlier supervisor ran are stale: their processes died with it.
	_ = os.RemoveAll(opts.RunDir)
	if err := os.MkdirAll(opts.RunDir, 0o700); err != nil {
		return err
	}
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithNamespace(opts.Namespace))
	s := &Supervisor{
		opts: opts, restConfig: restConfig, client: client,
		deployments: factory.Apps().V1().Deployments().Lister().Deployments(opts.Namespace),
		services:    factory.Core().V1().Services().Lister().Services(opts.Namespace),
		pods:        factory.Core().V1().Pods().Lister().Pods(opts.Namespace),
		poke:        make(chan struct{}, 1),
		children:    map[string]*child{},
		lastErr:     map[string]string{},
	}
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { s.wake() },
		UpdateFunc: func(any, any) { s.wake() },
		DeleteFunc: func(any) { s.wake() },
	}
	for _, inf := range []cache.SharedIndexInformer{
		factory.Apps().V1().Deployments().Informer(), factory.Core().V1().Pods().Informer(), factory.Core().V1().Services().Informer(),
	} {
		if _, err := inf.AddEventHandler(handler); err != nil {
			return err
		}
	}
	factory.Start(ctx.Done())
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("informer for %v did not sync", typ)
		}
	}

	proxy, err := listenConnect(opts.EgressSocket, s.route)
	if err != nil {
		return err
	}
	defer proxy.Close()
	log.Printf("supervisor: Istio %s, watching istiod Deployments in %s; cluster egress proxy on %s", opts.Version, opts.Namespace, opts.EgressSocket)

	ticker := time.NewTicker(500 * time.Millisecond)
	defer ticker.Stop()
	for {
		s.reconcile(ctx)
		select {
		case <-ctx.Done():
			s.stopAll()
			return nil
		case <-s.poke:
		case <-ticker.C:
		}
	}
}

func (s *Supervisor) wake() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// revisionOf names the revision an istiod Deployment serves: its pods' istio.io/rev label.
func revisionOf(d *appsv1.Deployment) string {
	if r := d.Spec.Template.Labels["istio.io/rev"]; r != "" {
		return r
	}
	return "default"
}

// wanted are the istiod Deployments that should have a running control plane, by revision: those with
// replicas that are not being deleted (the kubelet would run their pods).
func (s *Supervisor) wanted() map[string]*appsv1.Deployment {
	out := map[string]*appsv1.Deployment{}
	list, _ := s.deployments.List(labels.SelectorFromSet(labels.Set{"app": "istiod"}))
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	for _, d := range list {
		if d.DeletionTimestamp != nil || (d.Spec.Replicas != nil && *d.Spec.Replicas == 0) {
			continue
		}
		if _, dup := out[revisionOf(d)]; !dup {
			out[revisionOf(d)] = d
		}
	}
	return out
}

func (s *Supervisor) reconcile(ctx context.Context) {
	want := s.wanted()
	s.mu.Lock()
	defer s.mu.Unlock()
	for rev, c := range s.children {
		d, ok := want[rev]
		if !ok || c.spec != specOf(d) {
			why := "its Deployment is gone"
			if ok {
				why = "its Deployment changed"
			}
			log.Printf("revision %s: stopping the control plane (%s)", rev, why)
			c.stop()
			delete(s.children, rev)
		}
	}
	for rev, d := range want {
		c := s.children[rev]
		if c == nil {
			var err error
			if c, err = s.startChild(ctx, rev, d); err != nil {
				if s.lastErr[rev] != err.Error() {
					log.Printf("revision %s: cannot start the control plane yet: %v (retrying)", rev, err)
					s.lastErr[rev] = err.Error()
				}
				continue
			}
			delete(s.lastErr, rev)
			s.children[rev] = c
		} else if c.exited() && time.Since(c.exitedAt()) > c.backoff() {
			log.Printf("revision %s: the control plane exited (%v); restarting it (log: %s)", rev, c.exitErr(), c.logFile)
			restarted, err := s.startChild(ctx, rev, d)
			if err != nil {
				log.Printf("revision %s: cannot restart the control plane: %v", rev, err)
				continue
			}
			restarted.restarts = c.restarts + 1
			s.children[rev] = restarted
			c = restarted
		}
		if c.ready() {
			s.markPodsReady(ctx, rev)
		}
	}
}

// markPodsReady annotates the revision's istiod pods so that kwok marks them Ready.
func (s *Supervisor) markPodsReady(ctx context.Context, rev string) {
	pods, _ := s.pods.List(labels.SelectorFromSet(labels.Set{"app": "istiod", "istio.io/rev": rev}))
	for _, p := range pods {
		if p.DeletionTimestamp != nil || p.Annotations[ReadyAnnotation] == "ready" {
			continue
		}
		patch := []byte(`{"metadata":{"annotations":{"` + ReadyAnnotation + `":"ready"}}}`)
		if _, err := s.client.CoreV1().Pods(p.Namespace).Patch(ctx, p.Name, types.MergePatchType, patch, metav1PatchOptions()); err != nil {
			log.Printf("revision %s: cannot mark pod %s ready: %v", rev, p.Name, err)
		}
	}
}

func (s *Supervisor) stopAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	var wg sync.WaitGroup
	for rev, c := range s.children {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.stop()
		}()
		delete(s.children, rev)
	}
	wg.Wait()
}

// route maps a CONNECT target (host:port, as kube-apiserver's service resolver gives it: the Service's cluster
// IP, or its DNS name) to the webhook socket of the revision whose istiod pods that Service selects.
func (s *Supervisor) route(host string, port int) (string, error) {
	svc := s.serviceFor(host)
	if svc == nil {
		return "", fmt.Errorf("the test bed has no cluster network: %s is not an istiod Service in %s, and only "+
			"istiod's webhooks are served (by meshform-istiod)", host, s.opts.Namespace)
	}
	webhookPort := false
	for _, p := range svc.Spec.Ports {
		if int(p.Port) == port && (p.TargetPort.IntValue() == 15017 || p.Name == "https-webhook") {
			webhookPort = true
		}
	}
	if !webhookPort {
		return "", fmt.Errorf("service %s/%s port %d is not istiod's webhook port", svc.Namespace, svc.Name, port)
	}
	pods, _ := s.pods.List(labels.SelectorFromSet(svc.Spec.Selector))
	revs := map[string]bool{}
	for _, p := range pods {
		if p.DeletionTimestamp == nil && p.Labels["istio.io/rev"] != "" {
			revs[p.Labels["istio.io/rev"]] = true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for r := range revs {
		names = append(names, r)
		if c := s.children[r]; c != nil && c.serving() {
			return c.webhookSocket, nil
		}
	}
	sort.Strings(names)
	return "", fmt.Errorf("service %s/%s selects istiod pods of revision(s) %v, whose control plane is not serving yet",
		svc.Namespace, svc.Name, names)
}

func (s *Supervisor) serviceFor(host string) *corev1.Service {
	list, _ := s.services.List(labels.Everything())
	for _, svc := range list {
		if svc.Spec.Selector["app"] != "istiod" {
			continue
		}
		names := []string{svc.Spec.ClusterIP, svc.Name + "." + svc.Namespace + ".svc", svc.Name + "." + svc.Namespace + ".svc.cluster.local"}
		for _, n := range names {
			if n != "" && n == host {
				return svc
			}
		}
	}
	return nil
}

func (s *Supervisor) runPath(name string) string { return filepath.Join(s.opts.RunDir, name) }
