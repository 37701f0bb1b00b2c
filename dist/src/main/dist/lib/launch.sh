# shellcheck shell=bash
# How meshform's JVM starts, shared by bin/meshform of a checkout and of the release archive (sourced, not run).
#
#   meshform_launch JAVA JAR CACHE_DIR TRAINING_STACK -- ARGS...     (execs; never returns)
#
# Start-up is most of a small plan's time, so the JVM runs with C1 only and the serial collector, and with a
# cache of the classes a run loads, made once by a training run (io.meshform.cli.Training):
#   - on JDK 25 and later an AOT cache (JEP 483/514: classes loaded and linked ahead of time);
#   - on JDK 17 to 24 a dynamic AppCDS archive.
# A cache fits one JDK build and one jar. The JVM rejects a foreign one silently and then runs 1.5-1.8x slower,
# and JDK 25.0.3 accepts an AOT cache made from an older jar, so the launcher keys the file by the runtime (its
# release file: version and vendor, and its path) and by the jar (path, inode, size, modification and change
# times in nanoseconds; any write to the jar changes the change time, and stat costs nothing where a checksum of
# the 18 MB jar costs 50 ms at each start). A changed jar or JDK gets a new cache; older caches of the same jar
# path and JDK line are removed.
# MESHFORM_NO_CDS=1 runs without a cache; MESHFORM_JAVA_OPTS adds JVM options.

# The JVM settings every run gets. The PKCS12 settings only affect the in-memory keystore fabric8 builds for a
# client certificate (it never leaves the process; the default 10,000 PBKDF2 rounds cost about 0.4 s). With fewer
# than three CPUs the common ForkJoinPool has parallelism 1, and CompletableFuture then starts a thread for every
# async step: the HTTP client's responses made about 1,100 threads in an apply of 1,000 objects.
# -XX:-UsePerfData (as in the image): no /tmp/hsperfdata file per run, which jstat and jps alone read; 1-2% of a
# cortex-production no-op plan (12 interleaved pairs, BENCHMARKS.md, issue 18, midday session).
meshform_jvm_options=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData
  -Dkeystore.pkcs12.keyPbeIterationCount=1 -Dkeystore.pkcs12.macIterationCount=1
  -Djava.util.concurrent.ForkJoinPool.common.parallelism=4)

# meshform_release_values FILE: sets release_runtime, release_java and release_vendor from a JDK's release file
# (KEY="value" lines; the first of each wins). Plain bash: every process the launcher starts (a sed, a head) costs
# milliseconds of each run, and `meshform version` as a whole should take little more than the JVM's own start.
meshform_release_values() {
  release_runtime= release_java= release_vendor=
  local line value
  [ -r "$1" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in *=\"*\") value=${line#*=\"}; value=${value%\"} ;; *) continue ;; esac
    case $line in
      JAVA_RUNTIME_VERSION=*) [ -n "$release_runtime" ] || release_runtime=$value ;;
      JAVA_VERSION=*) [ -n "$release_java" ] || release_java=$value ;;
      IMPLEMENTOR=*) [ -n "$release_vendor" ] || release_vendor=$value ;;
    esac
  done < "$1"
}

# The class every command starts in (the jar's Main-Class). The JVM is given the jar as its class path and this
# class rather than -jar: -jar opens the 18 MB jar twice (once only to read its manifest), about 3 ms of each start.
meshform_main=io.meshform.cli.Main

meshform_launch() {
  local java=$1 jar=$2 cache=$3 stack=$4
  shift 5   # JAVA JAR CACHE STACK --
  local jvm=("${meshform_jvm_options[@]}")
  local java_path real home release version vendor major release_runtime release_java release_vendor
  # `hash` finds a command as `command -v` does, without the subshell of $(...): one process less per run.
  case $java in
    */*) [ -x "$java" ] && [ ! -d "$java" ] && java_path=$java ;;
    *) hash "$java" 2>/dev/null && java_path=${BASH_CMDS[$java]:-} ;;
  esac
  [ -n "${java_path:-}" ] || { echo "[meshform] no Java runtime: $java is not found (install Java 17 or later)" >&2; exit 1; }
  # `version`, `--version` and `-V` alone are answered by the CLI's QuickAnswers, which load a dozen of meshform's
  # classes and no library: there the class cache costs more than it saves (the JVM maps the 33 MB archive and
  # relocates it: 9-14 ms more CPU and 66-88 ms more wall time than without it; BENCHMARKS.md, issue 18, morning
  # session: version), so they start without it, and without the readlink, stat and cksum that pick it.
  if [ $# -eq 1 ]; then
    case $1 in
      version|--version|-V)
        # shellcheck disable=SC2086 # MESHFORM_JAVA_OPTS is a list of options
        exec "$java" "${jvm[@]}" ${MESHFORM_JAVA_OPTS:-} -cp "$jar" "$meshform_main" "$@" ;;
    esac
  fi
  real=$(readlink -f "$java_path")
  home=${real%/*}   # .../bin (readlink -f gives a canonical absolute path, so no `cd ..` is needed)
  home=${home%/*}
  [ -n "$home" ] || home=/
  release=$home/release
  meshform_release_values "$release"
  version=${release_runtime:-$release_java}
  vendor=$release_vendor
  major=${version%%[.+-]*}
  case $major in ''|*[!0-9]*) major=0 ;; esac
  if [ "$major" -ge 25 ]; then
    # -Xshare is implied by -XX:AOTCache (and refused beside -XX:AOTCacheOutput).
    # aot* and cds*: every tag set with them, e.g. JDK 25.0.3's "[warning][aot,codecache,stubs] Saved blob's name ... is
    # different from the expected name", which -Xlog:aot=off (the tag set [aot] alone) printed at every start.
    jvm+=(-Xlog:aot*=off -Xlog:cds*=off)
  else
    jvm+=(-Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off)
  fi
  # Without a release file (an unusual runtime) the JDK cannot be told: run without a cache rather than risk one.
  if [ -z "${MESHFORM_NO_CDS:-}" ] && [ -n "$version" ] && [ "$major" -ge 17 ]; then
    local stamp path_key key kind file
    stamp=$(stat -L -c '%i %s %.9Y %.9Z' "$jar" 2>/dev/null || true)
    local ignored
    read -r path_key ignored < <(printf '%s\n%s\n' "$home" "$jar" | cksum)
    read -r key ignored < <(printf '%s\n%s\n%s\n' "$version" "$vendor" "$stamp" | cksum)
    if [ "$major" -ge 25 ]; then kind=aot; else kind=jsa; fi
    file=$cache/meshform-$path_key-jdk$major-$key.$kind
    if [ ! -f "$file" ] && [ -n "$stamp" ] && mkdir -p "$cache" 2>/dev/null; then
      meshform_train "$java" "$jar" "$stack" "$cache" "$file" "$kind" "$path_key-jdk$major" "${jvm[@]}"
    fi
    if [ -f "$file" ]; then
      if [ "$kind" = aot ]; then jvm+=(-XX:AOTCache="$file"); else jvm+=(-XX:SharedArchiveFile="$file"); fi
    fi
  fi
  # shellcheck disable=SC2086 # MESHFORM_JAVA_OPTS is a list of options
  exec "$java" "${jvm[@]}" ${MESHFORM_JAVA_OPTS:-} -cp "$jar" "$meshform_main" "$@"
}

# meshform_train JAVA JAR STACK CACHE FILE KIND PREFIX JVM_OPTIONS...: the training run, then the cache in place.
meshform_train() {
  local java=$1 jar=$2 stack=$3 cache=$4 file=$5 kind=$6 prefix=$7
  shift 7
  local tmp out
  echo "[meshform] first run of this build: making its class cache ($file), once, up to half a minute..." >&2
  tmp=$(mktemp -d)
  out=$file.$$.tmp
  # The training runs in one JVM what users run: version, help, validate, and plan, apply and drift against a fake
  # API server on a loopback port (io.meshform.cli.Training). Everything it writes stays in $tmp: its temporary
  # files (java.io.tmpdir) and istioctl's remembered answers (XDG_CACHE_HOME; MESHFORM_CACHE would win over it).
  local make
  if [ "$kind" = aot ]; then make=(-XX:AOTCacheOutput="$out"); else make=(-XX:ArchiveClassesAtExit="$out"); fi
  (cd "$tmp" && unset MESHFORM_CACHE && export XDG_CACHE_HOME="$tmp/cache" && mkdir tmp \
    && "$java" "$@" "${make[@]}" -Djava.io.tmpdir="$tmp/tmp" -cp "$jar" io.meshform.cli.Training "$tmp" "$stack") \
    >/dev/null 2>&1 || true
  rm -rf "$tmp"
  if [ -s "$out" ]; then
    rm -f "$cache/meshform-$prefix-"*."$kind"
    mv -f "$out" "$file"
    echo "[meshform] class cache ready; later runs start faster." >&2
  else
    rm -f "$out"
    echo "[meshform] the class cache could not be made; running without it (MESHFORM_NO_CDS=1 skips trying)" >&2
  fi
}
