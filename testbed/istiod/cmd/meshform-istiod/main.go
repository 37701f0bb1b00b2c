// Command meshform-istiod is the test bed's control plane: Istio's own istiod packages, assembled because
// pilot-discovery itself does not build here (see internal/controlplane). Two subcommands:
//
//	meshform-istiod supervise   started by bin/dev-cluster: runs one `serve` per istiod Deployment that istioctl
//	                            installs, and answers kube-apiserver's `cluster` egress (see internal/supervisor)
//	meshform-istiod serve       one revision's istiod: injection and validation webhooks, xDS
//	meshform-istiod version     the Istio version it is built from
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"istio.io/istio/pkg/cluster"
	istiolog "istio.io/istio/pkg/log"
	"istio.io/istio/pkg/version"

	"meshform.io/testbed/istiod/internal/controlplane"
	"meshform.io/testbed/istiod/internal/supervisor"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: meshform-istiod supervise|serve|version [flags]   (-h after a subcommand lists its flags)")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	var err error
	switch os.Args[1] {
	case "supervise":
		err = supervise(ctx, os.Args[2:])
	case "serve":
		err = serve(ctx, os.Args[2:])
	case "version":
		fmt.Println(version.Info.Version)
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "meshform-istiod:", err)
		os.Exit(1)
	}
}

func supervise(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("supervise", flag.ExitOnError)
	var o supervisor.Options
	fs.StringVar(&o.Kubeconfig, "kubeconfig", "", "admin kubeconfig of the test bed (required)")
	fs.StringVar(&o.Namespace, "namespace", "istio-system", "Istio's system namespace")
	fs.StringVar(&o.RunDir, "run-dir", "", "directory for sockets, kubeconfigs and ready files (required)")
	fs.StringVar(&o.LogDir, "log-dir", "", "directory for istiod-<revision>.log (required)")
	fs.StringVar(&o.EgressSocket, "egress-socket", "", "Unix socket of kube-apiserver's cluster egress (required)")
	o.Others = map[string]string{}
	fs.Func("istiod", "VERSION=PATH of a meshform-istiod built from another Istio version, for revisions whose "+
		"istiod image has that tag (repeatable)", func(v string) error {
		version, path, ok := strings.Cut(v, "=")
		if !ok || version == "" || path == "" {
			return fmt.Errorf("expected VERSION=PATH, got %q", v)
		}
		o.Others[version] = path
		return nil
	})
	_ = fs.Parse(args)
	if o.Kubeconfig == "" || o.RunDir == "" || o.LogDir == "" || o.EgressSocket == "" {
		fs.Usage()
		return fmt.Errorf("--kubeconfig, --run-dir, --log-dir and --egress-socket are required")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	o.Binary, o.Version = self, version.Info.Version
	return supervisor.Run(ctx, o)
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var o controlplane.Options
	var clusterID string
	fs.StringVar(&o.Kubeconfig, "kubeconfig", "", "kubeconfig (required)")
	fs.StringVar(&o.Namespace, "namespace", "istio-system", "istiod's namespace")
	fs.StringVar(&o.Revision, "revision", "default", "the revision served")
	fs.StringVar(&o.PodName, "pod-name", "istiod-testbed", "istiod's pod name")
	fs.StringVar(&o.DomainSuffix, "domain", "cluster.local", "DNS domain suffix")
	fs.StringVar(&clusterID, "cluster-id", "", "cluster ID (default: CLUSTER_ID, else Kubernetes)")
	fs.StringVar(&o.WebhookSocket, "webhook-socket", "", "Unix socket for the HTTPS webhook server (required)")
	fs.StringVar(&o.XDSSocket, "xds-socket", "", "Unix socket for the plaintext xDS server (required)")
	fs.StringVar(&o.ReadyFile, "ready-file", "", "file written once the revision serves (required)")
	_ = fs.Parse(args)
	if o.Kubeconfig == "" || o.WebhookSocket == "" || o.XDSSocket == "" || o.ReadyFile == "" {
		fs.Usage()
		return fmt.Errorf("--kubeconfig, --webhook-socket, --xds-socket and --ready-file are required")
	}
	if clusterID == "" {
		clusterID = os.Getenv("CLUSTER_ID")
	}
	if clusterID == "" {
		clusterID = "Kubernetes"
	}
	o.ClusterID = cluster.ID(clusterID)
	if err := istiolog.Configure(istiolog.DefaultOptions()); err != nil {
		return err
	}
	istiolog.Infof("meshform-istiod serve: Istio %s, revision %s", version.Info.Version, o.Revision)
	s, err := controlplane.New(o)
	if err != nil {
		return err
	}
	if err := s.Start(ctx.Done()); err != nil {
		return err
	}
	<-ctx.Done()
	istiolog.Infof("stopping")
	return nil
}
