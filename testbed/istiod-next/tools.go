//go:build tools

// Package tools pins the control plane's main package for this module (see go.mod).
package tools

import (
	_ "meshform.io/testbed/istiod/cmd/meshform-istiod"
)
