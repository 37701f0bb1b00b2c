//go:build tools

// Package tools pins the Kubernetes commands the local test control plane builds.
// k8s.io/kubernetes uses replace directives for its staging modules, which `go install pkg@version`
// refuses, so they are built from this wrapper module instead.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
