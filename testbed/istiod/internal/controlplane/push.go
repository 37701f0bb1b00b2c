package controlplane

import (
	"reflect"

	"istio.io/istio/pilot/pkg/model"
)

// full marks a push request as a full push, as bootstrap does with `Full: true` at the pinned release. Istio 1.31
// removed the field (a request is full unless it only carries endpoint updates), and the test bed builds this same
// source against the next release too (testbed/istiod-next), so the field is set only where it exists. A build tag
// would do it without reflection, but would also change the Go build cache key of every package and so forgo the
// cache shared with the istioctl builds.
func full(r *model.PushRequest) *model.PushRequest {
	if f := reflect.ValueOf(r).Elem().FieldByName("Full"); f.IsValid() && f.Kind() == reflect.Bool {
		f.SetBool(true)
	}
	return r
}
