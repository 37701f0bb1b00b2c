package probe

import (
	"encoding/json"
	"errors"
	"sort"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/emptypb"

	// Register the Envoy extension types and Istio's own filter configs that istiod puts in typed configs.
	_ "istio.io/api/envoy/config/filter/http/alpn/v2alpha1"
	_ "istio.io/api/envoy/extensions/stats"
	_ "istio.io/istio/pkg/config/xds"
)

// lenient resolves the registered types and prints any other typed config as just its @type, rather than
// failing the whole dump.
type lenient struct{}

func (lenient) FindMessageByName(n protoreflect.FullName) (protoreflect.MessageType, error) {
	return protoregistry.GlobalTypes.FindMessageByName(n)
}

func (lenient) FindMessageByURL(url string) (protoreflect.MessageType, error) {
	t, err := protoregistry.GlobalTypes.FindMessageByURL(url)
	if errors.Is(err, protoregistry.NotFound) {
		return (&emptypb.Empty{}).ProtoReflect().Type(), nil
	}
	return t, err
}

func (lenient) FindExtensionByName(n protoreflect.FullName) (protoreflect.ExtensionType, error) {
	return protoregistry.GlobalTypes.FindExtensionByName(n)
}

func (lenient) FindExtensionByNumber(m protoreflect.FullName, f protoreflect.FieldNumber) (protoreflect.ExtensionType, error) {
	return protoregistry.GlobalTypes.FindExtensionByNumber(m, f)
}

var rawDump = protojson.MarshalOptions{UseProtoNames: true, Resolver: lenient{}}

// Raw is everything istiod sent, in Envoy's JSON form (proto field names), for what the summaries leave out.
type Raw struct {
	Listeners []json.RawMessage `json:"listeners"`
	Routes    []json.RawMessage `json:"routes"`
	Clusters  []json.RawMessage `json:"clusters"`
	Endpoints []json.RawMessage `json:"endpoints"`
}

// RawOf prints cfg's resources.
func RawOf(cfg *Config) (*Raw, error) {
	r := &Raw{Listeners: []json.RawMessage{}, Routes: []json.RawMessage{}, Clusters: []json.RawMessage{}, Endpoints: []json.RawMessage{}}
	add := func(to *[]json.RawMessage, m proto.Message) error {
		b, err := rawDump.Marshal(m)
		if err == nil {
			*to = append(*to, b)
		}
		return err
	}
	for _, l := range cfg.Listeners {
		if err := add(&r.Listeners, l); err != nil {
			return nil, err
		}
	}
	for _, name := range sortedKeys(cfg.Routes) {
		if err := add(&r.Routes, cfg.Routes[name]); err != nil {
			return nil, err
		}
	}
	for _, c := range cfg.Clusters {
		if err := add(&r.Clusters, c); err != nil {
			return nil, err
		}
	}
	for _, name := range sortedKeys(cfg.Endpoints) {
		if err := add(&r.Endpoints, cfg.Endpoints[name]); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
