//go:build tools

// Package tools pins the etcd server the local test control plane builds (Debian's etcd is too old for
// Kubernetes 1.31 and later).
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
)
