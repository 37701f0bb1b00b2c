// Package controlplane assembles one istiod revision from Istio's own packages, the way
// istio.io/istio/pilot/pkg/bootstrap (server.go NewServer, configcontroller.go, servicecontroller.go,
// sidecarinjector.go, validation.go, mesh.go) does, minus what the test bed cannot or need not run.
//
// Why not bootstrap itself: pilot/pkg/bootstrap imports github.com/agentgateway/agentgateway/api, which the Go
// module proxy refuses (403 for every version), so neither pilot-discovery nor Istio's pilot/test/xds fake server
// builds here. Every component below is Istio's code at the pinned module version; only the wiring between them
// is repeated here, in the same order as bootstrap.NewServer, and each step names the bootstrap function it
// follows.
//
// Left out, and why: the CA and its gRPC server (no proxy runs, so no workload asks for a certificate; webhook
// TLS uses a self-signed serving certificate instead, see certs.go), the namespace controller that copies
// istio-ca-root-cert into every namespace (it needs that CA), leader-elected status writers (no status on Istio
// objects; the Gateway API deployment controller runs, without leader election: see gatewaydeployments.go), the
// GatewayClass controller (the builtin classes istio and istio-waypoint work without GatewayClass objects), the
// in-process analysis controller, the debug/monitoring HTTP servers, agentgateway, and xDS authentication (the xDS socket is
// local to the test bed).
package controlplane

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"google.golang.org/grpc"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	meshconfig "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pilot/pkg/autoregistration"
	configaggregate "istio.io/istio/pilot/pkg/config/aggregate"
	"istio.io/istio/pilot/pkg/config/kube/crdclient"
	"istio.io/istio/pilot/pkg/config/kube/extensions"
	"istio.io/istio/pilot/pkg/config/kube/gateway"
	ingress "istio.io/istio/pilot/pkg/config/kube/ingress"
	kubecredentials "istio.io/istio/pilot/pkg/credentials/kube"
	"istio.io/istio/pilot/pkg/features"
	istiogrpc "istio.io/istio/pilot/pkg/grpc"
	"istio.io/istio/pilot/pkg/keycertbundle"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/networking/core"
	"istio.io/istio/pilot/pkg/server"
	"istio.io/istio/pilot/pkg/serviceregistry/aggregate"
	"istio.io/istio/pilot/pkg/serviceregistry/ambient"
	kubecontroller "istio.io/istio/pilot/pkg/serviceregistry/kube/controller"
	"istio.io/istio/pilot/pkg/serviceregistry/serviceentry"
	"istio.io/istio/pilot/pkg/xds"
	"istio.io/istio/pkg/activenotifier"
	"istio.io/istio/pkg/cluster"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/mesh/kubemesh"
	"istio.io/istio/pkg/config/mesh/meshwatcher"
	"istio.io/istio/pkg/config/schema/collections"
	"istio.io/istio/pkg/config/schema/gvk"
	"istio.io/istio/pkg/config/schema/kind"
	"istio.io/istio/pkg/keepalive"
	kubelib "istio.io/istio/pkg/kube"
	"istio.io/istio/pkg/kube/inject"
	"istio.io/istio/pkg/kube/kclient"
	"istio.io/istio/pkg/kube/krt"
	"istio.io/istio/pkg/kube/multicluster"
	"istio.io/istio/pkg/kube/namespace"
	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/revisions"
	"istio.io/istio/pkg/util/sets"
	"istio.io/istio/pkg/webhooks"
	validationcontroller "istio.io/istio/pkg/webhooks/validation/controller"
	validationserver "istio.io/istio/pkg/webhooks/validation/server"
	xdspkg "istio.io/istio/pkg/xds"
)

// Options are what pilot-discovery takes from its flags and environment (bootstrap.PilotArgs), reduced to the
// test bed's needs.
type Options struct {
	Kubeconfig    string
	Namespace     string // istiod's namespace, POD_NAMESPACE (istio-system)
	Revision      string // REVISION ("default" for the default revision)
	PodName       string // POD_NAME
	DomainSuffix  string // --domain
	ClusterID     cluster.ID
	WebhookSocket string // Unix socket of the HTTPS webhook server (istiod's :15017)
	XDSSocket     string // Unix socket of the plaintext xDS server (istiod's :15010)
	ReadyFile     string // written once the revision serves (see ready.go)
}

// Server is one running revision.
type Server struct {
	opts        Options
	env         *model.Environment
	xdsServer   *xds.DiscoveryServer
	kubeClient  kubelib.Client
	components  server.Instance
	caBundle    *keycertbundle.Watcher
	certificate *servingCert
	httpsMux    *http.ServeMux
	grpcServer  *grpc.Server

	multicluster      *multicluster.Controller
	configController  model.ConfigStoreController
	vsController      *model.VirtualServiceController
	serviceEntries    *serviceentry.Controller
	ambientIndex      ambient.Index
	internalStop      chan struct{}
	injectorAvailable bool
	templates         injectionTemplates
}

func (s *Server) addStartFunc(name string, fn server.Component) { s.components.RunComponent(name, fn) }

// New wires the revision's components; Start runs them.
func New(opts Options) (*Server, error) {
	// bootstrap.NewServer: environment, aggregate service registry, discovery server, config generator.
	e := model.NewEnvironment()
	e.DomainSuffix = opts.DomainSuffix
	ac := aggregate.NewController(aggregate.Options{MeshHolder: e, ConfigClusterID: opts.ClusterID})
	e.ServiceDiscovery = ac
	s := &Server{
		opts:         opts,
		env:          e,
		components:   server.New(),
		caBundle:     keycertbundle.NewWatcher(),
		httpsMux:     http.NewServeMux(),
		internalStop: make(chan struct{}),
	}
	s.xdsServer = xds.NewDiscoveryServer(e, nil, krt.GlobalDebugHandler)
	configGen := core.NewConfigGenerator(s.xdsServer.Cache)

	// bootstrap.initGrpcServer: the plaintext xDS server (istiod's port 15010).
	s.grpcServer = grpc.NewServer(istiogrpc.ServerOptions(keepalive.DefaultOption(), xdspkg.RecordRecvSize)...)
	s.xdsServer.Register(s.grpcServer)

	// bootstrap.initKubeClient, with the kubeconfig the supervisor wrote for istiod's service account.
	restConfig, err := kubelib.DefaultRestConfig(opts.Kubeconfig, "", func(c *rest.Config) {
		c.QPS, c.Burst = 80, 160 // pilot-discovery's --kubernetesApiQPS / --kubernetesApiBurst defaults
	})
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %v", opts.Kubeconfig, err)
	}
	s.kubeClient, err = kubelib.NewClient(kubelib.NewClientConfigForRestConfig(restConfig), opts.ClusterID)
	if err != nil {
		return nil, fmt.Errorf("kube client: %v", err)
	}
	s.kubeClient = kubelib.EnableCrdWatcher(s.kubeClient)

	// bootstrap.initMeshConfiguration / getConfigurationSources: the revision's mesh ConfigMap, istio[-REV].
	krtOpts := krt.NewOptionsBuilder(s.internalStop, "", krt.GlobalDebugHandler)
	meshCol := meshwatcher.NewCollection(krtOpts,
		kubemesh.NewConfigMapSource(s.kubeClient, opts.Namespace, configMapName("istio", opts.Revision), kubemesh.MeshConfigKey, krtOpts))
	meshCol.AsCollection().WaitUntilSynced(s.internalStop)
	e.Watcher = meshwatcher.ConfigAdapter(meshCol)
	log.Infof("mesh configuration: %s", meshwatcher.PrettyFormatOfMeshConfig(e.Mesh()))

	// bootstrap.NewServer: the discovery-namespaces filter (meshConfig.discoverySelectors).
	namespaces := kclient.New[*corev1.Namespace](s.kubeClient)
	filter := namespace.NewDiscoveryNamespacesFilter(namespaces, e.Watcher, s.internalStop)
	s.kubeClient = kubelib.SetObjectFilter(s.kubeClient, filter)

	// bootstrap.initMeshNetworks and initMeshHandlers.
	netCol := meshwatcher.NewNetworksCollection(krtOpts,
		kubemesh.NewConfigMapSource(s.kubeClient, opts.Namespace, configMapName("istio", opts.Revision), kubemesh.MeshNetworksKey, krtOpts))
	netCol.AsCollection().WaitUntilSynced(s.internalStop)
	e.NetworksWatcher = meshwatcher.NetworksAdapter(netCol)
	e.AddMeshHandler(func() {
		configGen.MeshConfigChanged(e.Mesh())
		s.xdsServer.ConfigUpdate(full(&model.PushRequest{Reason: model.NewReasonStats(model.GlobalUpdate), Forced: true}))
	})
	e.Init()
	if err := e.InitNetworksManager(s.xdsServer); err != nil {
		return nil, err
	}

	// bootstrap.initControllers: multicluster, SDS credentials, kube options, config and service controllers.
	s.multicluster = multicluster.NewController(multicluster.ControllerOptions{
		Client: s.kubeClient, ClusterID: opts.ClusterID, SystemNamespace: opts.Namespace,
		MeshConfig: e.Watcher, Debugger: krt.GlobalDebugHandler,
	})
	s.xdsServer.ListRemoteClusters = s.multicluster.ListRemoteClusters
	s.addStartFunc("multicluster controller", func(stop <-chan struct{}) error { return s.multicluster.Run(stop) })
	if features.EnableXDSIdentityCheck {
		creds := kubecredentials.NewMulticluster(opts.ClusterID, s.multicluster)
		creds.AddSecretHandler(func(k kind.Kind, name string, namespace string) {
			s.xdsServer.ConfigUpdate(&model.PushRequest{
				ConfigsUpdated: sets.New(model.ConfigKey{Kind: k, Name: name, Namespace: namespace}),
				Reason:         model.NewReasonStats(model.SecretTrigger),
			})
		})
		e.CredentialsController = creds
	}
	kubeOpts := kubecontroller.Options{
		SystemNamespace: opts.Namespace, DomainSuffix: opts.DomainSuffix, ClusterID: opts.ClusterID,
		Revision: opts.Revision, KrtDebugger: krt.GlobalDebugHandler, Metrics: e, XDSUpdater: s.xdsServer,
		MeshNetworksWatcher: e.NetworksWatcher, MeshWatcher: e.Watcher, MeshServiceController: ac,
		KubernetesAPIQPS: 80, KubernetesAPIBurst: 160,
	}
	if err := s.initConfigController(kubeOpts); err != nil {
		return nil, err
	}
	s.initServiceControllers(kubeOpts, ac)

	// bootstrap.InitGenerators (pilot/pkg/bootstrap/discovery.go), repeated here because bootstrap does not build.
	initGenerators(s.xdsServer, configGen, opts.Namespace, opts.ClusterID)

	// bootstrap.initIstiodCerts: a serving certificate for the webhook server, announced through the same
	// keycertbundle.Watcher that istiod's webhook patchers read the caBundle from.
	if s.certificate, err = newServingCert(opts.Namespace, opts.Revision); err != nil {
		return nil, err
	}
	s.caBundle.SetAndNotify(s.certificate.keyPEM, s.certificate.certPEM, s.certificate.caPEM)

	// bootstrap.initSidecarInjector and initConfigValidation.
	if err := s.initSidecarInjector(); err != nil {
		return nil, err
	}
	if err := s.initConfigValidation(); err != nil {
		return nil, err
	}
	s.initGatewayDeploymentController()

	s.initRegistryEventHandlers()
	s.addStartFunc("xds server", func(stop <-chan struct{}) error {
		s.xdsServer.Start(stop)
		return nil
	})
	// "This must be last, otherwise we will not know which informers to register" (bootstrap.NewServer).
	s.addStartFunc("kube client", func(stop <-chan struct{}) error {
		s.kubeClient.RunAndWait(stop)
		return nil
	})
	return s, nil
}

func configMapName(base, revision string) string {
	if revision == "" || revision == "default" {
		return base
	}
	return base + "-" + revision
}

// initConfigController follows bootstrap.initConfigController and initK8SConfigStore: Istio's CRD client, the
// WasmPlugin translation, the Gateway API controller, the Ingress controller, one aggregate cache.
func (s *Server) initConfigController(kubeOpts kubecontroller.Options) error {
	schemas := collections.Pilot
	if features.EnableGatewayAPI {
		schemas = collections.PilotGatewayAPI()
	}
	if features.EnableGatewayAPIInferenceExtension {
		schemas = schemas.Add(collections.InferencePool)
	}
	schemas = schemas.Add(collections.Ingress)
	crd := crdclient.NewForSchemas(s.kubeClient, crdclient.Option{
		Revision: s.opts.Revision, DomainSuffix: s.opts.DomainSuffix, Identifier: "crd-controller", KrtDebugger: krt.GlobalDebugHandler,
	}, schemas)
	stores := []model.ConfigStoreController{crd, extensions.NewController(crd, s.xdsServer, krt.GlobalDebugHandler)}

	tw := revisions.NewTagWatcher(s.kubeClient, s.opts.Revision, s.opts.Namespace)
	s.addStartFunc("tag-watcher", func(stop <-chan struct{}) error {
		go tw.Run(stop)
		return nil
	})
	tw.AddHandler(func(sets.String) {
		s.xdsServer.ConfigUpdate(full(&model.PushRequest{Reason: model.NewReasonStats(model.TagUpdate), Forced: true}))
	})
	if features.EnableGatewayAPI {
		gwc := gateway.NewController(s.kubeClient, s.kubeClient.CrdWatcher().WaitForCRD, kubeOpts, s.xdsServer)
		s.env.GatewayAPIController = gwc
		stores = append(stores, gwc)
	}
	if s.env.Mesh().IngressControllerMode != meshconfig.MeshConfig_OFF {
		stores = append(stores, ingress.NewController(s.kubeClient, s.env.Watcher, kubeOpts, s.xdsServer))
	}
	s.xdsServer.WorkloadEntryController = autoregistration.NewController(crd, s.opts.PodName, keepalive.Infinity)

	agg, err := configaggregate.MakeCache(stores)
	if err != nil {
		return err
	}
	s.configController = agg
	s.env.ConfigStore = agg
	s.addStartFunc("config controller", func(stop <-chan struct{}) error {
		go s.configController.Run(stop)
		return nil
	})
	s.vsController = model.NewVirtualServiceController(agg, model.VSControllerOptions{
		KrtDebugger: krt.GlobalDebugHandler, XDSUpdater: s.xdsServer,
	}, s.env.Watcher)
	s.env.VirtualServiceController = s.vsController
	s.addStartFunc("virtual service controller", func(stop <-chan struct{}) error {
		go s.vsController.Run(stop)
		return nil
	})
	return nil
}

// initServiceControllers follows bootstrap.initServiceControllers and initKubeRegistry: ServiceEntries plus the
// Kubernetes registry for the one cluster (no root-certificate distribution: there is no CA).
func (s *Server) initServiceControllers(kubeOpts kubecontroller.Options, ac *aggregate.Controller) {
	s.serviceEntries = serviceentry.NewController(s.configController, s.xdsServer, s.multicluster, s.env.Watcher,
		serviceentry.WithClusterID(s.opts.ClusterID), serviceentry.WithKRTDebugger(krt.GlobalDebugHandler))
	ac.AddRegistry(s.serviceEntries)
	kubecontroller.NewMulticluster(s.opts.PodName, kubeOpts, s.serviceEntries, s.caBundle, s.opts.Revision,
		false, s.env.ClusterLocal(), s.components, s.multicluster)
	s.addStartFunc("service controllers", func(stop <-chan struct{}) error {
		go ac.Run(stop)
		return nil
	})
	if features.EnableAmbient {
		s.ambientIndex = ambient.New(ambient.Options{
			SystemNamespace: s.opts.Namespace, DomainSuffix: s.opts.DomainSuffix, ClusterID: s.opts.ClusterID,
			Revision: s.opts.Revision, XDSUpdater: s.xdsServer, MeshConfig: s.env.Watcher,
			StatusNotifier: activenotifier.New(false), Debugger: krt.GlobalDebugHandler, MultiClusterController: s.multicluster,
			Flags: ambient.FeatureFlags{
				DefaultAllowFromWaypoint:              features.DefaultAllowFromWaypoint,
				EnableK8SServiceSelectWorkloadEntries: features.EnableK8SServiceSelectWorkloadEntries,
			},
		})
		s.env.AmbientIndexes = s.ambientIndex
		s.addStartFunc("ambient index", func(stop <-chan struct{}) error {
			go s.ambientIndex.Run(stop)
			return nil
		})
	} else {
		s.env.AmbientIndexes = &model.NoopAmbientIndexes{}
	}
}

// initSidecarInjector follows bootstrap.initSidecarInjector: Istio's injection webhook reading the templates and
// values istioctl installed in istio-sidecar-injector[-REV], and Istio's patcher for the caBundle of the
// revision's MutatingWebhookConfigurations.
func (s *Server) initSidecarInjector() error {
	name := configMapName("istio-sidecar-injector", s.opts.Revision)
	if _, err := s.kubeClient.Kube().CoreV1().ConfigMaps(s.opts.Namespace).Get(context.TODO(), name, metav1.GetOptions{}); err != nil {
		log.Warnf("no sidecar injector: ConfigMap %s/%s: %v", s.opts.Namespace, name, err)
		return nil
	}
	watcher := inject.NewConfigMapWatcher(s.kubeClient, s.opts.Namespace, name, "config", "values")
	wh, err := inject.NewWebhook(inject.WebhookParameters{
		Watcher: watcher, Env: s.env, Mux: s.httpsMux, Revision: s.opts.Revision, MultiCluster: s.multicluster,
	})
	if err != nil {
		return fmt.Errorf("failed to create injection webhook: %v", err)
	}
	s.injectorAvailable = true
	s.templates.set(wh)
	s.addStartFunc("injection patcher", func(stop <-chan struct{}) error {
		patcher, err := webhooks.NewWebhookCertPatcher(s.kubeClient, s.opts.Revision, "sidecar-injector.istio.io", s.caBundle)
		if err != nil {
			log.Errorf("failed to create webhook cert patcher: %v", err)
			return nil
		}
		go patcher.Run(stop)
		return nil
	})
	s.addStartFunc("injection server", func(stop <-chan struct{}) error {
		wh.Run(stop)
		return nil
	})
	return nil
}

// initConfigValidation follows bootstrap.initConfigValidation: Istio's validation webhook server, and the
// controller that patches the caBundle and switches failurePolicy to Fail once an invalid object is refused.
func (s *Server) initConfigValidation() error {
	if _, err := validationserver.New(validationserver.Options{
		Schemas: collections.PilotGatewayAPI(), DomainSuffix: s.opts.DomainSuffix, Mux: s.httpsMux,
	}); err != nil {
		return err
	}
	if features.ValidationWebhookConfigName != "" {
		s.addStartFunc("validation controller", func(stop <-chan struct{}) error {
			go validationcontroller.NewValidatingWebhookController(s.kubeClient, s.opts.Revision, s.opts.Namespace, s.caBundle).Run(stop)
			return nil
		})
	}
	return nil
}

// initRegistryEventHandlers follows bootstrap.initRegistryEventHandlers: service and config changes push.
func (s *Server) initRegistryEventHandlers() {
	s.env.ServiceDiscovery.(*aggregate.Controller).AppendServiceHandler(func(_, curr *model.Service, _ model.Event) {
		s.xdsServer.ConfigUpdate(full(&model.PushRequest{
			ConfigsUpdated: sets.New(model.ConfigKey{Kind: kind.ServiceEntry, Name: string(curr.Hostname), Namespace: curr.Attributes.Namespace}),
			Reason:         model.NewReasonStats(model.ServiceUpdate),
		}))
	})
	handler := func(prev config.Config, curr config.Config, event model.Event) {
		if event == model.EventUpdate && !model.NeedsPush(prev, curr) {
			return
		}
		s.xdsServer.ConfigUpdate(full(&model.PushRequest{
			ConfigsUpdated: sets.New(model.ConfigKey{Kind: gvk.MustToKind(curr.GroupVersionKind), Name: curr.Name, Namespace: curr.Namespace}),
			Reason:         model.NewReasonStats(model.ConfigUpdate),
		}))
	}
	schemas := collections.Pilot.All()
	if features.EnableGatewayAPI {
		schemas = collections.PilotGatewayAPI().All()
	}
	for _, schema := range schemas {
		g := schema.GroupVersionKind()
		if g == gvk.ServiceEntry || g == gvk.WorkloadEntry || g == gvk.WorkloadGroup || g == gvk.VirtualService ||
			g == gvk.WasmPlugin || g.Group == gvk.KubernetesGateway.Group {
			continue // handled by their own controllers, as in bootstrap
		}
		s.configController.RegisterEventHandler(g, handler)
	}
}

// Start runs the components, waits for the caches and the first push context (bootstrap.Server.Start and
// waitForCacheSync), then serves xDS and the webhooks on their sockets and reports readiness.
func (s *Server) Start(stop <-chan struct{}) error {
	go func() {
		<-stop
		close(s.internalStop)
		s.grpcServer.Stop()
		s.xdsServer.Shutdown()
	}()
	if err := s.components.Start(stop); err != nil {
		return err
	}
	start := time.Now()
	if !kubelib.WaitForCacheSync("server", stop, s.cachesSynced) {
		return fmt.Errorf("failed to sync caches")
	}
	expected := s.xdsServer.InboundUpdates.Load()
	if !kubelib.WaitForCacheSync("push context", stop, func() bool { return s.xdsServer.CommittedUpdates.Load() >= expected }) {
		return fmt.Errorf("push context not ready")
	}
	s.xdsServer.CachesSynced()
	log.Infof("caches synced in %v", time.Since(start))

	xdsListener, err := listenUnix(s.opts.XDSSocket)
	if err != nil {
		return err
	}
	go func() {
		if err := s.grpcServer.Serve(xdsListener); err != nil {
			log.Errorf("xDS server: %v", err)
		}
	}()
	if err := s.serveWebhooks(stop); err != nil {
		return err
	}
	log.Infof("serving xDS on %s and webhooks on %s", s.opts.XDSSocket, s.opts.WebhookSocket)
	go s.reportReady(stop)
	return nil
}

func (s *Server) cachesSynced() bool {
	return s.multicluster.HasSynced() &&
		(s.ambientIndex == nil || s.ambientIndex.HasSynced()) &&
		s.env.ServiceDiscovery.(*aggregate.Controller).HasSynced() &&
		s.configController.HasSynced() &&
		s.vsController.HasSynced()
}

func listenUnix(path string) (net.Listener, error) {
	_ = os.Remove(path)
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %v", path, err)
	}
	return l, nil
}
