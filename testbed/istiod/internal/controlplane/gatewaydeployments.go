package controlplane

import (
	"sync"

	"istio.io/istio/pilot/pkg/config/kube/gatewaycommon"
	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pkg/config/schema/gvr"
	"istio.io/istio/pkg/kube/inject"
	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/revisions"
)

// injectionTemplates hands the injection webhook's templates and values to the Gateway API deployment controller,
// as bootstrap's webhookInfo (pilot/pkg/bootstrap/server.go) does: the controller renders a Gateway's Deployment
// from the injector's "kube-gateway" and "waypoint" templates, and re-renders when they change.
type injectionTemplates struct {
	mu sync.RWMutex
	wh *inject.Webhook
}

func (t *injectionTemplates) set(wh *inject.Webhook) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.wh = wh
}

// config follows webhookInfo.getWebhookConfig: empty without an injector (nothing renders then).
func (t *injectionTemplates) config() inject.WebhookConfig {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.wh != nil {
		return t.wh.GetConfig()
	}
	return inject.WebhookConfig{}
}

// addHandler follows webhookInfo.addHandler.
func (t *injectionTemplates) addHandler(fn func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.wh != nil {
		t.wh.MultiCast.AddHandler(func(*inject.Config, string) error {
			fn()
			return nil
		})
	}
}

// initGatewayDeploymentController follows the "gateway deployment controller" step of
// bootstrap.initConfigController (pilot/pkg/bootstrap/configcontroller.go): once the Gateway CRD exists, Istio's
// gatewaycommon.DeploymentController renders a Deployment, Service and ServiceAccount for every Gateway of an Istio
// class (istio, istio-waypoint) from the injector's templates and applies them server-side. Without leader
// election: the supervisor runs one serve process per revision, so this one is the revision's leader, as the
// per-revision election would make it.
func (s *Server) initGatewayDeploymentController() {
	if !features.EnableGatewayAPI || !features.EnableGatewayAPIDeploymentController {
		return
	}
	s.addStartFunc("gateway deployment controller", func(stop <-chan struct{}) error {
		go func() {
			if !s.kubeClient.CrdWatcher().WaitForCRD(gvr.KubernetesGateway, stop) {
				return
			}
			tagWatcher := revisions.NewTagWatcher(s.kubeClient, s.opts.Revision, s.opts.Namespace)
			controller := gatewaycommon.NewDeploymentController(s.kubeClient, s.opts.ClusterID, s.env,
				s.templates.config, s.templates.addHandler, tagWatcher, s.opts.Revision, s.opts.Namespace)
			// As bootstrap: start the informers the controller just registered (the client already runs).
			s.kubeClient.RunAndWait(stop)
			go tagWatcher.Run(stop)
			log.Infof("gateway deployment controller running")
			controller.Run(stop)
		}()
		return nil
	})
}
