package controlplane

import (
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/networking/apigen"
	"istio.io/istio/pilot/pkg/networking/core"
	"istio.io/istio/pilot/pkg/networking/grpcgen"
	"istio.io/istio/pilot/pkg/xds"
	v3 "istio.io/istio/pilot/pkg/xds/v3"
	"istio.io/istio/pkg/cluster"
)

// initGenerators registers the xDS generators exactly as istio.io/istio/pilot/pkg/bootstrap/discovery.go
// (InitGenerators) does at the pinned version. It is repeated here, not imported, only because package
// bootstrap does not build (it imports agentgateway, which the module proxy refuses); the generators
// themselves are Istio's. The debug generator is left out: it serves istiod's debug endpoints over xDS.
func initGenerators(s *xds.DiscoveryServer, cg core.ConfigGenerator, systemNamespace string, clusterID cluster.ID) {
	env := s.Env
	generators := map[string]model.XdsResourceGenerator{}
	edsGen := &xds.EdsGenerator{Cache: s.Cache, EndpointIndex: env.EndpointIndex}
	generators[v3.ClusterType] = &xds.CdsGenerator{ConfigGenerator: cg}
	generators[v3.ListenerType] = &xds.LdsGenerator{ConfigGenerator: cg}
	generators[v3.RouteType] = &xds.RdsGenerator{ConfigGenerator: cg}
	generators[v3.EndpointType] = edsGen
	ecdsGen := &xds.EcdsGenerator{ConfigGenerator: cg}
	if env.CredentialsController != nil {
		generators[v3.SecretType] = xds.NewSecretGen(env.CredentialsController, s.Cache, clusterID, env.Mesh())
		ecdsGen.SetCredController(env.CredentialsController)
	}
	generators[v3.ExtensionConfigurationType] = ecdsGen
	generators[v3.NameTableType] = &xds.NdsGenerator{ConfigGenerator: cg}
	generators[v3.ProxyConfigType] = &xds.PcdsGenerator{TrustBundle: env.TrustBundle}

	workloadGen := &xds.WorkloadGenerator{Server: s}
	generators[v3.AddressType] = workloadGen
	generators[v3.WorkloadType] = workloadGen
	generators[v3.WorkloadAuthorizationType] = &xds.WorkloadRBACGenerator{Server: s}

	generators["grpc"] = &grpcgen.GrpcConfigGenerator{}
	generators["grpc/"+v3.EndpointType] = edsGen
	generators["grpc/"+v3.ListenerType] = generators["grpc"]
	generators["grpc/"+v3.RouteType] = generators["grpc"]
	generators["grpc/"+v3.ClusterType] = generators["grpc"]

	generators["api"] = apigen.NewGenerator(env.ConfigStore)
	generators["api/"+v3.EndpointType] = edsGen

	generators["event"] = xds.NewStatusGen(s)
	_ = systemNamespace // InitGenerators passes it to the debug generator only
	s.Generators = generators
}
