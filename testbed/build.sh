#!/usr/bin/env bash
# Builds the local test control plane from the official Go modules and caches the binaries under
# ${MESHFORM_CACHE:-~/.cache/meshform}/bin/<component>-<version>/. A component already in the cache is not
# rebuilt. Prints the directory of each component on stdout as NAME=DIR lines; progress goes to stderr.
#
#   testbed/build.sh [kubernetes] [etcd] [kwok] [istioctl] [istio-addons] [istioctl-next] [opa] [istiod] [istiod-next]
#                    [gateway-api-crds]
#                                                 (all when none is named)
#   testbed/build.sh --cached-only COMPONENT...   print NAME=DIR only for components already cached; build nothing
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
cache=${MESHFORM_CACHE:-$HOME/.cache/meshform}
mkdir -p "$cache/bin" "$cache/logs"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false
cached_only=false
if [ "${1:-}" = --cached-only ]; then cached_only=true; shift; fi

say() { printf '[testbed] %s\n' "$*" >&2; }

# build NAME VERSION CHECK_BINARY -- command...
# Runs the command with $OUT set to a scratch directory, then moves it into the cache in one rename,
# so an interrupted build never leaves a half-filled cache entry behind.
build() {
  local name=$1 version=$2 check=$3; shift 4
  local dest="$cache/bin/$name-$version" log="$cache/logs/$name-$version.log"
  if [ -e "$dest/$check" ]; then
    $cached_only || say "$name $version: cached in $dest"
  elif $cached_only; then
    return 0
  else
    local start=$SECONDS
    OUT=$(mktemp -d "$cache/bin/.$name-$version.XXXXXX")
    export OUT
    # An interrupted build leaves no scratch directory behind either.
    trap 'rm -rf "$OUT"; exit 130' INT TERM
    say "$name $version: building (log: $log)"
    if ! "$@" >"$log" 2>&1; then
      say "FAILED to build $name $version"
      say "  command: $*"
      say "  log:     $log"
      tail -n 30 "$log" | sed 's/^/  | /' >&2
      rm -rf "$OUT"
      exit 1
    fi
    rm -rf "$dest"
    mv "$OUT" "$dest"
    trap - INT TERM
    say "$name $version: built in $((SECONDS - start))s"
  fi
  echo "$name=$dest"
}

check_gomod() {
  grep -q "require k8s.io/kubernetes $K8S_VERSION\$" "$here/kubernetes/go.mod" &&
    grep -q "require go.etcd.io/etcd/server/v3 $ETCD_VERSION\$" "$here/etcd/go.mod" &&
    grep -q "require istio.io/istio $ISTIO_MODULE_VERSION\$" "$here/istioctl/go.mod" &&
    grep -q "require istio.io/istio $ISTIO_NEXT_MODULE_VERSION\$" "$here/istioctl-next/go.mod" &&
    grep -qE "^(require)?[[:space:]]*istio.io/istio $ISTIO_MODULE_VERSION\$" "$here/istiod/go.mod" &&
    grep -qE "^(require)?[[:space:]]*istio.io/istio $ISTIO_NEXT_MODULE_VERSION\$" "$here/istiod-next/go.mod" &&
    grep -qE "^[[:space:]]*sigs.k8s.io/gateway-api $GATEWAY_API_VERSION( |\$)" "$here/istiod/go.mod" || {
      say "testbed/*/go.mod do not match testbed/versions.env: run testbed/update-gomod.sh and commit the result"
      exit 1
    }
}

build_kubernetes() {
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local pkg
  for pkg in component-base/version client-go/pkg/version; do
    ldflags+=" -X k8s.io/$pkg.gitVersion=$K8S_VERSION -X k8s.io/$pkg.gitMajor=1 -X k8s.io/$pkg.gitMinor=$minor"
    ldflags+=" -X k8s.io/$pkg.gitTreeState=clean -X k8s.io/$pkg.buildDate=1970-01-01T00:00:00Z"
  done
  cd "$here/kubernetes" &&
    go build -mod=mod -trimpath -ldflags "-s -w$ldflags" -o "$OUT/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
}

build_etcd() {
  cd "$here/etcd" && go build -mod=mod -trimpath -ldflags "-s -w" -o "$OUT/etcd" go.etcd.io/etcd/server/v3
}

build_kwok() {
  GOBIN=$OUT go install -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
}

# build_istioctl WRAPPER_DIR VERSION MODULE_VERSION
build_istioctl() {
  local v=istio.io/istio/pkg/version
  # buildHub and buildTag must both be set, or the default profile renders images from a testing registry.
  cd "$here/$1" &&
    go build -mod=mod -trimpath -ldflags "-s -w -X $v.buildVersion=$2 -X $v.buildGitRevision=$3 \
      -X $v.buildStatus=Clean -X $v.buildTag=$2 -X $v.buildHub=docker.io/istio -X $v.buildOS=linux -X $v.buildArch=amd64" \
      -o "$OUT/istioctl" istio.io/istio/istioctl/cmd/istioctl
}

# The test bed's control plane (meshform-istiod) and its probe (proxy-config): main packages of ours that import
# istiod's packages from the same istio.io/istio version and replaces as istioctl, stamped the same way, so the
# Go build cache is shared with the istioctl build. Keyed by the Istio version and a hash of testbed/istiod's Go
# sources and go.mod (plus the wrapper's go.mod for istiod-next), so a change there rebuilds it.
# istiod-next builds the same sources from the next release's module (testbed/istiod-next), for the revision the
# upgrade test installs with istioctl-next; the probe is built once, with istiod.
istiod_key() {
  (cd "$here" && { find istiod -name '*.go' -o -name go.mod; printf '%s\n' "$@"; } | LC_ALL=C sort | xargs sha256sum) |
    sha256sum | cut -c1-12
}
# build_istiod MODFILE VERSION MODULE_VERSION PACKAGE...: builds testbed/istiod's packages with the given module
# file (istiod/go.mod, or istiod-next/go.mod for the next release's module).
build_istiod() {
  local v=istio.io/istio/pkg/version modfile=$1 version=$2 module=$3
  shift 3
  cd "$here/istiod" &&
    go build -mod=mod -modfile="$here/$modfile" -trimpath -ldflags "-s -w -X $v.buildVersion=$version -X $v.buildGitRevision=$module \
      -X $v.buildStatus=Clean -X $v.buildTag=$version -X $v.buildHub=docker.io/istio -X $v.buildOS=linux -X $v.buildArch=amd64" \
      -o "$OUT/" "$@"
}
# The probe's filter-chain and transport matching and the supervisor's CONNECT proxy have unit tests; a build whose
# tests fail is not cached.
test_and_build_istiod() {
  (cd "$here/istiod" && go test -mod=mod -trimpath ./internal/probe/ ./internal/supervisor/) &&
    build_istiod istiod/go.mod "$ISTIO_VERSION" "$ISTIO_MODULE_VERSION" ./cmd/meshform-istiod ./cmd/proxy-config
}
# prune_istiod VERSION KEY: builds of earlier sources are dead weight (~150 MB each); a running one keeps its
# deleted binary.
prune_istiod() {
  $cached_only || find "$cache/bin" -maxdepth 1 -name "istiod-$1-*" ! -name "istiod-$2" -exec rm -rf {} +
}

# Istio ships its addons as samples, which the istio.io/istio module zip holds; the Go module cache has it after
# the istioctl build (or downloads it here). Copied, not committed: they are Istio's files.
build_istio_addons() {
  local dir
  dir=$(cd "$here/istioctl" && go mod download -json "istio.io/istio@$ISTIO_MODULE_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [ -n "$dir" ] && [ -d "$dir/samples/addons" ] || { echo "no samples/addons in istio.io/istio@$ISTIO_MODULE_VERSION ($dir)"; return 1; }
  cp "$dir"/samples/addons/{kiali,prometheus,grafana,jaeger}.yaml "$OUT/"
  chmod 0644 "$OUT"/*.yaml
}

# The Gateway API CRDs Istio is built against, for the tests that make istiod's deployment controller render a
# Gateway (GatewayDeploymentIT). The standard channel's CustomResourceDefinitions as the module ships them
# (config/crd/standard, the files its kustomization lists), without the ValidatingAdmissionPolicy that guards
# upgrades to other channels; its LICENSE beside them. Copied, not committed: they are the Gateway API project's.
build_gateway_api_crds() {
  local dir
  dir=$(cd "$here/istiod" && go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [ -n "$dir" ] && [ -d "$dir/config/crd/standard" ] || { echo "no config/crd/standard in sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION ($dir)"; return 1; }
  local f
  for f in "$dir"/config/crd/standard/gateway.networking.k8s.io_*.yaml; do
    grep -q '^kind: CustomResourceDefinition$' "$f" && cp "$f" "$OUT/"
  done
  cp "$dir/LICENSE" "$OUT/LICENSE"
  chmod 0644 "$OUT"/*
  ls "$OUT"/gateway.networking.k8s.io_gateways.yaml
}

# OPA, to prove that a policy written for `terraform show -json` reads meshform's plan JSON unchanged (PlanJsonOpaIT).
build_opa() {
  GOBIN=$OUT go install -trimpath -ldflags "-s -w" "github.com/open-policy-agent/opa@$OPA_VERSION"
}

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(etcd kwok kubernetes istioctl istio-addons istioctl-next opa istiod istiod-next gateway-api-crds)
for c in "${components[@]}"; do
  case $c in
    kubernetes) check_gomod; ldflags=""; build kubernetes "$K8S_VERSION" kube-apiserver -- build_kubernetes ;;
    etcd) check_gomod; build etcd "$ETCD_VERSION" etcd -- build_etcd ;;
    kwok) build kwok "$KWOK_VERSION" kwok -- build_kwok ;;
    istioctl) check_gomod; build istioctl "$ISTIO_VERSION" istioctl -- build_istioctl istioctl "$ISTIO_VERSION" "$ISTIO_MODULE_VERSION" ;;
    istioctl-next)
      check_gomod
      build istioctl "$ISTIO_NEXT_VERSION" istioctl -- build_istioctl istioctl-next "$ISTIO_NEXT_VERSION" "$ISTIO_NEXT_MODULE_VERSION" |
        sed 's/^istioctl=/istioctl-next=/' ;;
    istio-addons) build istio-addons "$ISTIO_VERSION" kiali.yaml -- build_istio_addons ;;
    opa) build opa "$OPA_VERSION" opa -- build_opa ;;
    gateway-api-crds) check_gomod; build gateway-api-crds "$GATEWAY_API_VERSION" gateway.networking.k8s.io_gateways.yaml -- build_gateway_api_crds ;;
    istiod)
      check_gomod
      key="$ISTIO_VERSION-$(istiod_key)"
      build istiod "$key" meshform-istiod -- test_and_build_istiod
      prune_istiod "$ISTIO_VERSION" "$key" ;;
    istiod-next)
      check_gomod
      key="$ISTIO_NEXT_VERSION-$(istiod_key istiod-next/go.mod)"
      build istiod "$key" meshform-istiod -- build_istiod istiod-next/go.mod "$ISTIO_NEXT_VERSION" "$ISTIO_NEXT_MODULE_VERSION" \
        ./cmd/meshform-istiod | sed 's/^istiod=/istiod-next=/'
      prune_istiod "$ISTIO_NEXT_VERSION" "$key" ;;
    *) say "unknown component '$c' (expected kubernetes, etcd, kwok, istioctl, istio-addons, istioctl-next, opa, istiod, istiod-next or gateway-api-crds)"; exit 2 ;;
  esac
done
