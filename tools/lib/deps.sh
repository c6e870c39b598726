#!/usr/bin/env bash
# Installs what StreamVault's build, tests and scripts need, only when it is missing. Source this file.
#   deps_system    Debian packages: libzstd-dev (the zstd library), libsqlite3-dev (GRDB), zlib1g-dev (gzip exports), zstd and jq
#                  (CLIs used by tests/quickstart), chromium (renders the status page in its test)
#   deps_python    PyPI packages for the AWS emulator and its client: moto[server], boto3, awscli (the server's tests); for the handler tests and
#                  tools/bench-handlers: awslambdaric (the Lambda runtime interface client), aws-lambda-powertools

deps_system() {
    local missing=()
    local pkg
    for pkg in libzstd-dev libsqlite3-dev zlib1g-dev zstd jq pkg-config chromium; do
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
    if ! python3 -c 'import awslambdaric, aws_lambda_powertools' >/dev/null 2>&1; then
        echo "==> installing awslambdaric and aws-lambda-powertools from PyPI" >&2
        python3 -m pip install --quiet awslambdaric aws-lambda-powertools >&2
    fi
    if ! command -v aws >/dev/null 2>&1; then
        echo "==> installing awscli from PyPI" >&2
        python3 -m pip install --quiet awscli >&2
    fi
}
