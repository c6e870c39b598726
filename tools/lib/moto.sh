#!/usr/bin/env bash
# Helpers to run moto's AWS emulator from StreamVault's scripts. Source this file:
#
#   source tools/lib/moto.sh
#   moto_start            # exports MOTO_ENDPOINT, MOTO_PID and dummy AWS credentials
#   ... aws --endpoint-url "$MOTO_ENDPOINT" ... / streamvault archive --endpoint-url "$MOTO_ENDPOINT" ...
#   moto_stop
#
# moto_start installs nothing: if moto is missing it fails with the pip command to run.

_moto_lib_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

moto_require() {
    if ! python3 -c 'import moto.server' 2>/dev/null; then
        echo 'moto is not installed. Install it with: python3 -m pip install "moto[server]"' >&2
        return 1
    fi
}

moto_start() {
    moto_require || return 1
    local out
    out="$(mktemp)"
    # moto logs every request on stderr: keep that out of the way (MOTO_LOG=FILE to keep it).
    python3 "${_moto_lib_dir}/../moto_server.py" --port "${MOTO_PORT:-0}" >"$out" 2>>"${MOTO_LOG:-/dev/null}" &
    MOTO_PID=$!
    local i
    for i in $(seq 1 100); do
        if [ -s "$out" ]; then break; fi
        if ! kill -0 "$MOTO_PID" 2>/dev/null; then
            echo "moto server exited before printing its URL" >&2
            rm -f "$out"
            return 1
        fi
        sleep 0.1
    done
    MOTO_ENDPOINT="$(head -n 1 "$out")"
    rm -f "$out"
    if [ -z "$MOTO_ENDPOINT" ]; then
        echo "moto server did not print its URL within 10 seconds" >&2
        kill "$MOTO_PID" 2>/dev/null
        return 1
    fi
    export MOTO_ENDPOINT MOTO_PID
    export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}"
    export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
    export AWS_SESSION_TOKEN="${AWS_SESSION_TOKEN:-testing}"
    export AWS_REGION="${AWS_REGION:-us-east-1}"
    export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-$AWS_REGION}"  # boto3 and the AWS CLI read this one
    export AWS_ENDPOINT_URL="$MOTO_ENDPOINT"
}

moto_stop() {
    if [ -n "${MOTO_PID:-}" ]; then
        kill "$MOTO_PID" 2>/dev/null
        wait "$MOTO_PID" 2>/dev/null
        unset MOTO_PID MOTO_ENDPOINT AWS_ENDPOINT_URL
    fi
}
