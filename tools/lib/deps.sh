#!/usr/bin/env bash
# Installs what StreamVault's build, tests and scripts need, only when it is missing. Source this file.
#   deps_system    Debian packages: libzstd-dev (the zstd library), libsqlite3-dev (GRDB), zstd and jq (CLIs used by tests/quickstart)
#   deps_python    PyPI packages for the AWS emulator and its clients: moto[server], boto3, awscli (the server's tests)

deps_system() {
    local missing=()
    local pkg
    for pkg in libzstd-dev libsqlite3-dev zstd jq pkg-config; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "==> installing ${missing[*]}" >&2
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
    fi
}

deps_python() {
    if ! python3 -c 'import moto.server, boto3, flask' >/dev/null 2>&1; then
        echo "==> installing moto[server] and boto3 from PyPI" >&2
        python3 -m pip install --quiet "moto[server]" boto3 >&2
    fi
    if ! command -v aws >/dev/null 2>&1; then
        echo "==> installing awscli from PyPI" >&2
        python3 -m pip install --quiet awscli >&2
    fi
}
