#!/usr/bin/env bash
# The test matrix: the whole suite and the demo in Debian chroots with Debian's own QGIS.
#
#   tools/matrix.sh [build|test|demo|all|shell] [NAME...]     (as root; default: all, every NAME)
#   tools/matrix.sh pytest NAME [pytest arguments]           (some tests, after a first `test`)
#   tools/matrix.sh unmount                                  (what an interrupted run left mounted)
#
# NAME is one of:
#   qgis-3.40  bookworm + bookworm-backports: QGIS 3.40 LTR, Python 3.11, numpy 1.24, GDAL 3.6
#   qgis-3.44  trixie + trixie-backports: QGIS 3.44, Python 3.13, numpy 2, GDAL 3.10, rasterio 1.4
#
# Chroots are made with debootstrap and cached under build/chroots/NAME (or $MATRIX_CHROOTS);
# one whose recipe is unchanged is not built again. The repository is bind-mounted at its own
# path inside, with its own .venv and QGIS test profile per NAME under build/matrix/NAME.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CHROOTS=${MATRIX_CHROOTS:-$ROOT/build/chroots}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
ALL_NAMES=(qgis-3.40 qgis-3.44)
# What the suite needs, as `make setup` installs it on the host, plus make and locales.
PACKAGES="python3-qgis qgis python3-rasterio python3-venv xvfb xauth gdal-bin python3-gdal
 qttools5-dev-tools make git ca-certificates locales-all"
RECIPE_VERSION=1

log() { printf '[matrix %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

suite_of() {
    case $1 in
        qgis-3.40) echo bookworm ;;
        qgis-3.44) echo trixie ;;
        *) log "unknown matrix entry '$1' (known: ${ALL_NAMES[*]})"; exit 2 ;;
    esac
}

recipe_of() {
    local suite=$1
    echo "v$RECIPE_VERSION $suite $suite-backports $MIRROR $PACKAGES" | tr -s ' \n' ' '
}

# Every mount below DIR, deepest first.
mounts_under() {
    awk -v dir="$1" '$2 == dir || index($2, dir "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

unmount_all() {
    local dir=$1 point round
    [ -n "$dir" ] || return 0
    for round in 1 2 3 4 5; do  # stacked mounts (an interrupted run) take several rounds
        [ -n "$(mounts_under "$dir")" ] || return 0
        for point in $(mounts_under "$dir"); do
            umount "$point" 2>/dev/null || umount -l "$point" 2>/dev/null || true
        done
    done
}

mount_all() {
    local dir=$1
    mount -t proc proc "$dir/proc"
    mount -t sysfs sysfs "$dir/sys"  # as the host has it (root gets EACCES there)
    mount --bind /dev "$dir/dev"
    mount --bind /dev/pts "$dir/dev/pts"
    mkdir -p "$dir/dev/shm" && mount -t tmpfs -o mode=1777 shm "$dir/dev/shm"
    cp -L /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
}

# Mount what a run needs (/proc, /sys, /dev, /dev/pts, /dev/shm), the repository at its own path; `leave` (or an exit) unmounts.
ENTERED=""
enter() {
    ENTERED=$1
    trap 'unmount_all "$ENTERED"' EXIT
    mount_all "$1"
    mkdir -p "$1$ROOT"
    mount --bind "$ROOT" "$1$ROOT"
}

leave() {
    unmount_all "$ENTERED"
    trap - EXIT
    ENTERED=""
}

# Never delete a tree that still has something mounted in it (the host's /dev, the repository).
remove_tree() {
    local dir=$1
    [ -e "$dir" ] || return 0
    unmount_all "$dir"
    if [ -n "$(mounts_under "$dir")" ]; then
        log "refusing to delete $dir: still mounted: $(mounts_under "$dir" | tr '\n' ' ')"
        exit 1
    fi
    rm -rf --one-file-system "$dir"
}

in_chroot() {
    local dir=$1
    shift
    chroot "$dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        DEBIAN_FRONTEND=noninteractive CI="${CI:-}" \
        SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
        REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$@"
}

build() {
    local name=$1 suite recipe dir tmp
    suite=$(suite_of "$name")
    recipe=$(recipe_of "$suite")
    dir=$CHROOTS/$name
    if [ -f "$dir/.matrix-recipe" ] && [ "$(cat "$dir/.matrix-recipe")" = "$recipe" ]; then
        log "$name: cached in $dir"
        return 0
    fi
    command -v debootstrap >/dev/null || {
        log "installing debootstrap"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
    }
    tmp=$dir.partial
    remove_tree "$tmp"
    mkdir -p "$CHROOTS"
    log "$name: debootstrap $suite (minbase) from $MIRROR"
    debootstrap --variant=minbase --include=ca-certificates "$suite" "$tmp" "$MIRROR" \
        >"$CHROOTS/$name.debootstrap.log" 2>&1 || {
        tail -20 "$CHROOTS/$name.debootstrap.log" >&2
        exit 1
    }
    cat >"$tmp/etc/apt/sources.list" <<EOF
deb $MIRROR $suite main
deb $MIRROR $suite-updates main
deb $MIRROR $suite-backports main
deb $SECURITY_MIRROR $suite-security main
EOF
    printf 'APT::Install-Recommends "false";\nAcquire::Retries "3";\n' >"$tmp/etc/apt/apt.conf.d/90matrix"
    # The host's CA certificates, so that pip inside reaches the registries as the host does.
    cp /usr/local/share/ca-certificates/*.crt "$tmp/usr/local/share/ca-certificates/" 2>/dev/null || true
    ENTERED=$tmp
    trap 'unmount_all "$ENTERED"' EXIT
    mount_all "$tmp"
    in_chroot "$tmp" update-ca-certificates >/dev/null
    log "$name: apt-get install QGIS from $suite-backports"
    in_chroot "$tmp" apt-get update -qq
    in_chroot "$tmp" apt-get install -y -qq -o Dpkg::Use-Pty=0 -t "$suite-backports" $PACKAGES \
        >"$CHROOTS/$name.apt.log" 2>&1 || {
        tail -30 "$CHROOTS/$name.apt.log" >&2
        exit 1
    }
    in_chroot "$tmp" apt-get clean
    leave
    echo "$recipe" >"$tmp/.matrix-recipe"
    remove_tree "$dir"
    mv "$tmp" "$dir"
    log "$name: built ($(du -sh --one-file-system "$dir" | cut -f1))"
}

versions() {
    local dir=$1
    in_chroot "$dir" python3 -c '
import sys, numpy, rasterio, urllib3
from osgeo import gdal
from qgis.core import Qgis
print(f"QGIS {Qgis.version()}, Python {sys.version.split()[0]}, numpy {numpy.__version__}, "
      f"GDAL {gdal.__version__}, rasterio {rasterio.__version__}, urllib3 {urllib3.__version__}")'
}

# make TARGET inside NAME's chroot, with NAME's own .venv and QGIS profile.
run_make() {
    local name=$1 target=$2 dir=$CHROOTS/$1 status=0
    [ -f "$dir/.matrix-recipe" ] || build "$name"
    mkdir -p "$ROOT/build/matrix/$name"
    enter "$dir"
    log "$name: $(versions "$dir")"
    log "$name: make $target"
    in_chroot "$dir" make -C "$ROOT" "$target" VENV="build/matrix/$name/venv" \
        TEST_PROFILE="build/matrix/$name/qgis-test-profile" \
        || status=$?
    leave
    log "$name: make $target exited $status"
    return "$status"
}

main() {
    local action=${1:-all} name status=0
    [ $# -gt 0 ] && shift
    local names=("$@")
    [ ${#names[@]} -gt 0 ] || names=("${ALL_NAMES[@]}")
    if [ "$action" = unmount ]; then  # before deleting build/ (make clean)
        [ -z "$(mounts_under "$CHROOTS")" ] || unmount_all "$CHROOTS"
        [ -z "$(mounts_under "$CHROOTS")" ] || { log "still mounted under $CHROOTS"; exit 1; }
        return 0
    fi
    [ "$(id -u)" = 0 ] || { log "run as root (debootstrap, chroot and mount need it)"; exit 1; }
    if [ "$action" = pytest ]; then suite_of "${names[0]}" >/dev/null
    else for name in "${names[@]}"; do suite_of "$name" >/dev/null; done; fi
    case $action in
        build) for name in "${names[@]}"; do build "$name"; done ;;
        test | demo)
            for name in "${names[@]}"; do run_make "$name" "$action" || status=1; done ;;
        all)
            for name in "${names[@]}"; do build "$name"; done
            for name in "${names[@]}"; do
                run_make "$name" test || status=1
                run_make "$name" demo || status=1
            done ;;
        pytest)  # tools/matrix.sh pytest NAME [pytest arguments]: after one `test` run
            name=${names[0]}
            enter "$CHROOTS/$name"
            in_chroot "$CHROOTS/$name" env QT_QPA_PLATFORM=offscreen \
                QGIS_PLUGINPATH="$ROOT/build/plugins" XDG_RUNTIME_DIR=/tmp/runtime-root \
                PYTHONPATH="$ROOT/build/plugins:/usr/share/qgis/python/plugins" \
                QGIS_CUSTOM_CONFIG_PATH="$ROOT/build/matrix/$name/qgis-test-profile" \
                bash -c 'cd "$0" && exec "$@"' "$ROOT" \
                "build/matrix/$name/venv/bin/pytest" "${names[@]:1}" || status=$?
            leave ;;
        shell)
            enter "$CHROOTS/${names[0]}"
            in_chroot "$CHROOTS/${names[0]}" bash -c "cd '$ROOT' && exec bash -i" || true
            leave ;;
        *) log "unknown action '$action' (build, test, demo, all, shell)"; exit 2 ;;
    esac
    return "$status"
}

main "$@"
