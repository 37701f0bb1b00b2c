package controlplane

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"istio.io/api/label"
	"istio.io/istio/pkg/log"
)

// serveWebhooks serves the HTTPS mux (injection, validation, /ready) on the webhook socket, as
// bootstrap.initSecureWebhookServer does on :15017. The supervisor splices the API server's CONNECT tunnels
// into this socket, so TLS runs end to end between kube-apiserver and this server.
func (s *Server) serveWebhooks(stop <-chan struct{}) error {
	l, err := listenUnix(s.opts.WebhookSocket)
	if err != nil {
		return err
	}
	s.httpsMux.HandleFunc("/ready", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	srv := &http.Server{
		Handler:           s.httpsMux,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{s.certificate.tls}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       90 * time.Second,
	}
	go func() {
		<-stop
		_ = srv.Close()
	}()
	go func() {
		if err := srv.ServeTLS(l, "", ""); err != nil && err != http.ErrServerClosed {
			log.Errorf("webhook server: %v", err)
		}
	}()
	return nil
}

// Readiness is what the ready file says; the supervisor reads it before it lets kwok mark this revision's
// istiod pods Ready (so `istioctl install`, which waits for that, returns only once the webhooks answer).
type Readiness struct {
	Revision         string   `json:"revision"`
	Injector         bool     `json:"injector"`
	PatchedWebhooks  []string `json:"patchedWebhooks"`
	UnpatchedWebhook string   `json:"unpatchedWebhook,omitempty"`
	ServerNames      []string `json:"serverNames"`
}

// reportReady waits (up to 20 s) until Istio's patchers have written this server's caBundle into every webhook
// configuration of the revision, then writes the ready file. Writing it late rather than never keeps a broken
// patcher visible in the log instead of hanging istioctl install.
func (s *Server) reportReady(stop <-chan struct{}) {
	deadline := time.Now().Add(20 * time.Second)
	var r Readiness
	for {
		r = s.webhookState()
		if r.UnpatchedWebhook == "" || time.Now().After(deadline) {
			break
		}
		select {
		case <-stop:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	if r.UnpatchedWebhook != "" {
		log.Warnf("caBundle still not patched into %s after 20 s; reporting ready anyway", r.UnpatchedWebhook)
	}
	data, _ := json.MarshalIndent(r, "", "  ")
	tmp := s.opts.ReadyFile + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err == nil {
		err = os.Rename(tmp, s.opts.ReadyFile)
		if err != nil {
			log.Errorf("ready file: %v", err)
		}
	}
	log.Infof("ready: %s", data)
}

func (s *Server) webhookState() Readiness {
	r := Readiness{Revision: s.opts.Revision, Injector: s.injectorAvailable, ServerNames: s.certificate.dnsNames}
	selector := metav1.ListOptions{LabelSelector: label.IoIstioRev.Name + "=" + s.opts.Revision}
	ctx := context.Background()
	adm := s.kubeClient.Kube().AdmissionregistrationV1()
	if list, err := adm.MutatingWebhookConfigurations().List(ctx, selector); err == nil {
		for _, c := range list.Items {
			for _, w := range c.Webhooks {
				if !strings.HasSuffix(w.Name, "sidecar-injector.istio.io") {
					continue
				}
				if !bytes.Equal(w.ClientConfig.CABundle, s.certificate.caPEM) {
					r.UnpatchedWebhook = c.Name + "/" + w.Name
					return r
				}
			}
			r.PatchedWebhooks = append(r.PatchedWebhooks, "MutatingWebhookConfiguration/"+c.Name)
		}
	} else {
		r.UnpatchedWebhook = "(list failed: " + err.Error() + ")"
		return r
	}
	if list, err := adm.ValidatingWebhookConfigurations().List(ctx, selector); err == nil {
		for _, c := range list.Items {
			for _, w := range c.Webhooks {
				if !bytes.Equal(w.ClientConfig.CABundle, s.certificate.caPEM) {
					r.UnpatchedWebhook = c.Name + "/" + w.Name
					return r
				}
			}
			r.PatchedWebhooks = append(r.PatchedWebhooks, "ValidatingWebhookConfiguration/"+c.Name)
		}
	} else {
		r.UnpatchedWebhook = "(list failed: " + err.Error() + ")"
	}
	return r
}
