//go:build tools

// Package tools pins the newer istioctl (upgrade test) for the local test control plane. It is built from this wrapper module rather
// than with `go install pkg@version` because some of istio's dependencies must be replaced (see go.mod).
package tools

import (
	_ "istio.io/istio/istioctl/cmd/istioctl"
)
