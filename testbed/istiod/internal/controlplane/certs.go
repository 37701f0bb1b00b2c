package controlplane

import (
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"istio.io/istio/security/pkg/pki/util"
)

// servingCert is the webhook server's certificate and the CA that signed it. istiod normally signs its DNS
// certificate with its built-in CA (bootstrap.initDNSCertsIstiod); the test bed runs no CA, so a throwaway CA is
// made with Istio's own certificate code at start-up. Its certificate is the caBundle that Istio's patchers write
// into the webhook configurations, and the API server verifies the webhook server against it.
type servingCert struct {
	caPEM, certPEM, keyPEM []byte
	tls                    tls.Certificate
	dnsNames               []string
}

// dnsNames follows bootstrap.getDNSNames: the known istiod host names in the system namespace, plus the
// revision's own service.
func dnsNames(namespace, revision string) []string {
	hosts := []string{"istiod", "istiod-remote", "istio-pilot"}
	if revision != "" && revision != "default" {
		hosts = append(hosts, "istiod-"+revision)
	}
	var names []string
	for _, h := range hosts {
		names = append(names, fmt.Sprintf("%s.%s.svc", h, namespace))
	}
	return names
}

func newServingCert(namespace, revision string) (*servingCert, error) {
	caPEM, caKeyPEM, err := util.GenCertKeyFromOptions(util.CertOptions{
		Host: "meshform-testbed-istiod-ca", Org: "meshform test bed", IsCA: true, IsSelfSigned: true,
		TTL: 10 * 365 * 24 * time.Hour, RSAKeySize: 2048, NotBefore: time.Now().Add(-time.Minute),
	})
	if err != nil {
		return nil, fmt.Errorf("webhook CA: %v", err)
	}
	caCert, err := util.ParsePemEncodedCertificate(caPEM)
	if err != nil {
		return nil, err
	}
	caKey, err := util.ParsePemEncodedKey(caKeyPEM)
	if err != nil {
		return nil, err
	}
	names := dnsNames(namespace, revision)
	certPEM, keyPEM, err := util.GenCertKeyFromOptions(util.CertOptions{
		Host: strings.Join(names, ","), IsServer: true, SignerCert: caCert, SignerPriv: caKey,
		TTL: 10 * 365 * 24 * time.Hour, RSAKeySize: 2048, NotBefore: time.Now().Add(-time.Minute),
	})
	if err != nil {
		return nil, fmt.Errorf("webhook serving certificate: %v", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	return &servingCert{caPEM: caPEM, certPEM: certPEM, keyPEM: keyPEM, tls: pair, dnsNames: names}, nil
}
