package supervisor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

func metav1PatchOptions() metav1.PatchOptions {
	return metav1.PatchOptions{FieldManager: "meshform-istiod"}
}

// child is one `meshform-istiod serve` process, i.e. one revision's istiod.
type child struct {
	revision      string
	spec          string // what of the Deployment the process was started from; a change restarts it
	cmd           *exec.Cmd
	logFile       string
	kubeconfig    string
	webhookSocket string
	xdsSocket     string
	readyFile     string
	restarts      int

	done    chan struct{}
	mu      sync.Mutex
	err     error
	endedAt time.Time
}

// istiodContainer is the Deployment's istiod container ("discovery" in Istio's chart).
func istiodContainer(d *appsv1.Deployment) *corev1.Container {
	cs := d.Spec.Template.Spec.Containers
	for i := range cs {
		if cs[i].Name == "discovery" {
			return &cs[i]
		}
	}
	if len(cs) > 0 {
		return &cs[0]
	}
	return nil
}

// specOf is what a kubelet would restart the pod for: the pod template (image, env, args, annotations such
// as kubectl's restartedAt).
func specOf(d *appsv1.Deployment) string {
	data, _ := json.Marshal(d.Spec.Template)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// environment is the istiod container's environment as the kubelet would set it: literal values, and the
// downward-API fields istiod's chart uses. KUBECONFIG (a remote-cluster secret path in the chart) and
// resource-derived values (GOMAXPROCS) are left out; the process gets its own kubeconfig.
func environment(d *appsv1.Deployment, podName string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	c := istiodContainer(d)
	if c == nil {
		return env
	}
	for _, e := range c.Env {
		if e.Name == "KUBECONFIG" {
			continue
		}
		if e.ValueFrom == nil {
			env = append(env, e.Name+"="+e.Value)
			continue
		}
		if f := e.ValueFrom.FieldRef; f != nil {
			switch f.FieldPath {
			case "metadata.name":
				env = append(env, e.Name+"="+podName)
			case "metadata.namespace":
				env = append(env, e.Name+"="+d.Namespace)
			case "spec.serviceAccountName":
				env = append(env, e.Name+"="+d.Spec.Template.Spec.ServiceAccountName)
			}
		}
	}
	return env
}

// domainArg is istiod's --domain argument (the chart passes global.proxy.clusterDomain).
func domainArg(d *appsv1.Deployment) string {
	if c := istiodContainer(d); c != nil {
		for i, a := range c.Args {
			if a == "--domain" && i+1 < len(c.Args) {
				return c.Args[i+1]
			}
			if v, ok := strings.CutPrefix(a, "--domain="); ok {
				return v
			}
		}
	}
	return "cluster.local"
}

// startChild starts `meshform-istiod serve` for a revision, with a kubeconfig holding a token of the
// Deployment's service account, so Istio's code runs with the RBAC istioctl installed for istiod.
func (s *Supervisor) startChild(ctx context.Context, rev string, d *appsv1.Deployment) (*child, error) {
	sa := d.Spec.Template.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	expiry := int64(7 * 24 * 3600)
	token, err := s.client.CoreV1().ServiceAccounts(d.Namespace).CreateToken(ctx, sa, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &expiry},
	}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("token for service account %s/%s: %v", d.Namespace, sa, err)
	}
	kubeconfig := s.runPath(rev + ".kubeconfig")
	if err := s.writeKubeconfig(kubeconfig, token.Status.Token, d.Namespace+"/"+sa); err != nil {
		return nil, err
	}
	c := &child{
		revision: rev, spec: specOf(d), kubeconfig: kubeconfig,
		logFile:       fmt.Sprintf("%s/istiod-%s.log", s.opts.LogDir, rev),
		webhookSocket: s.runPath(rev + ".webhook.sock"),
		xdsSocket:     s.runPath(rev + ".xds.sock"),
		readyFile:     s.runPath(rev + ".ready"),
		done:          make(chan struct{}),
	}
	for _, f := range []string{c.webhookSocket, c.xdsSocket, c.readyFile} {
		_ = os.Remove(f)
	}
	out, err := os.OpenFile(c.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	podName := d.Name + "-testbed"
	image := ""
	if ic := istiodContainer(d); ic != nil {
		image = ic.Image
	}
	binary, version := s.binaryFor(image)
	c.cmd = exec.Command(binary, "serve",
		"--kubeconfig", kubeconfig, "--namespace", d.Namespace, "--revision", rev, "--pod-name", podName,
		"--domain", domainArg(d), "--webhook-socket", c.webhookSocket, "--xds-socket", c.xdsSocket, "--ready-file", c.readyFile)
	c.cmd.Env = append(environment(d, podName), "REVISION="+rev)
	c.cmd.Stdout, c.cmd.Stderr = out, out
	// The revision dies with the supervisor, even when the supervisor is killed.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	fmt.Fprintf(out, "\n=== %s meshform-istiod serve: revision %s (Deployment %s/%s, image %s; this control plane is Istio %s)\n",
		time.Now().Format(time.RFC3339), rev, d.Namespace, d.Name, image, version)
	if tag := imageTag(image); tag != "" && tag != version {
		msg := fmt.Sprintf("revision %s: the Deployment runs image %s, but the test bed has no control plane built from "+
			"Istio %s; Istio %s serves the revision, with the revision's own templates and mesh config", rev, image, tag, version)
		log.Print(msg)
		fmt.Fprintln(out, "=== WARNING: "+msg)
	}
	if err := c.cmd.Start(); err != nil {
		out.Close()
		return nil, err
	}
	log.Printf("revision %s: started the control plane (pid %d, log %s)", rev, c.cmd.Process.Pid, c.logFile)
	go func() {
		err := c.cmd.Wait()
		out.Close()
		c.mu.Lock()
		c.err, c.endedAt = err, time.Now()
		c.mu.Unlock()
		close(c.done)
	}()
	return c, nil
}

// imageTag is the tag of an image reference (registry/repo:tag), without a digest; "" when there is none.
func imageTag(image string) string {
	image, _, _ = strings.Cut(image, "@")
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") {
		return ""
	}
	return image[i+1:]
}

// binaryFor picks the control plane built from the Istio version the Deployment's image is tagged with: a
// revision that istioctl-next installed runs istiod-next's build, as its own istiod would. Without one, this
// binary serves it (and the log says so).
func (s *Supervisor) binaryFor(image string) (binary, version string) {
	if b, ok := s.opts.Others[imageTag(image)]; ok && imageTag(image) != s.opts.Version {
		return b, imageTag(image)
	}
	return s.opts.Binary, s.opts.Version
}

func (s *Supervisor) writeKubeconfig(path, token, user string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["testbed"] = &clientcmdapi.Cluster{
		Server: s.restConfig.Host, CertificateAuthorityData: s.restConfig.CAData, CertificateAuthority: s.restConfig.CAFile,
	}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["testbed"] = &clientcmdapi.Context{Cluster: "testbed", AuthInfo: user}
	cfg.CurrentContext = "testbed"
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *child) exitErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		return fmt.Errorf("exit status 0")
	}
	return c.err
}

func (c *child) exitedAt() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endedAt
}

// backoff before a restart grows like a kubelet's CrashLoopBackOff, capped at 30 s.
func (c *child) backoff() time.Duration {
	d := time.Second << min(c.restarts, 5)
	return min(d, 30*time.Second)
}

// serving: the process runs and its webhook socket exists.
func (c *child) serving() bool {
	if c.exited() {
		return false
	}
	_, err := os.Stat(c.webhookSocket)
	return err == nil
}

// ready: serving, and it reported its webhooks patched (see controlplane.Server.reportReady).
func (c *child) ready() bool {
	if !c.serving() {
		return false
	}
	_, err := os.Stat(c.readyFile)
	return err == nil
}

func (c *child) stop() {
	if c.exited() {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	for _, f := range []string{c.webhookSocket, c.xdsSocket, c.readyFile, c.kubeconfig} {
		_ = os.Remove(f)
	}
}
