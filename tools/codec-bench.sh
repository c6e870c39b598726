#!/usr/bin/env bash
# Benchmarks the hand-written MD5/base64 of StreamModel against swift-crypto and Foundation (issue 8, item 10).
# Usage: tools/codec-bench.sh   (builds swift-crypto in release mode first if needed; prints ns per call)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
[ -f .build/release/Modules/Crypto.swiftmodule ] || swift build -c release --product streamvault >/dev/null
rel=.build/release
src=Sources/StreamModel
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
objects=$(find "$rel/Crypto.build" "$rel/CryptoBoringWrapper.build" "$rel/CCryptoBoringSSL.build" "$rel/CCryptoBoringSSLShims.build" -name '*.o')
swiftc -O -wmo -module-name CodecBench \
    -I "$rel/Modules" -Xcc -I.build/checkouts/swift-crypto/Sources/CCryptoBoringSSL/include \
    -Xcc -I.build/checkouts/swift-crypto/Sources/CCryptoBoringSSLShims/include \
    -Xcc -fmodule-map-file=.build/checkouts/swift-crypto/Sources/CCryptoBoringSSL/include/module.modulemap \
    -Xcc -fmodule-map-file=.build/checkouts/swift-crypto/Sources/CCryptoBoringSSLShims/include/module.modulemap \
    tools/codec-bench/main.swift tools/codec-bench/ByteSlice.swift tools/codec-bench/HandWrittenMD5.swift \
    "$src/Records/Base64.swift" "$src/Conversion/Base64+Buffers.swift" $objects -lstdc++ -o "$out/codec-bench"
"$out/codec-bench"
