#!/usr/bin/env python3
"""Check a StreamVault audit log without StreamVault: python3 audit-verify.py STORAGE_DIR

Recomputes the hash chain of STORAGE_DIR/audit.ndjson (docs/AUDIT.md) and the SHA-256 of every sealed
segment file that retention has not deleted. Prints the first broken link and exits 1, or prints the
chain head and exits 0.
"""
import hashlib, json, os, sys

storage = sys.argv[1]
prev, expected, sealed, deleted = "0" * 64, 1, {}, set()
with open(os.path.join(storage, "audit.ndjson"), "rb") as f:
    for number, raw in enumerate(f, 1):
        if not raw.endswith(b"\n"):
            sys.exit(f"line {number}: cut off (no newline)")
        line = raw[:-1]
        entry = json.loads(line)
        cut = line.rfind(b',"hash":"')
        digest = hashlib.sha256(line[:cut] + b"}").hexdigest()
        if entry["seq"] != expected:
            sys.exit(f"line {number}: entry {entry['seq']} where entry {expected} should be")
        if digest != entry["hash"]:
            sys.exit(f"entry {expected}: text hashes to {digest}, hash field says {entry['hash']}")
        if entry["prev"] != prev:
            sys.exit(f"entry {expected}: prev {entry['prev']} is not entry {expected - 1}'s hash {prev}")
        key = (entry["stream"], entry["details"].get("file"))
        if entry["kind"] == "segment-sealed":
            sealed[key] = entry["details"]
        elif entry["kind"] == "segment-deleted":
            deleted.add(key)
        prev, expected = entry["hash"], expected + 1
for (stream, name), details in sorted(sealed.items()):
    if (stream, name) in deleted:
        continue
    with open(os.path.join(storage, stream, "segments", name), "rb") as segment:
        data = segment.read(details["bytes"])
    if hashlib.sha256(data).hexdigest() != details["sha256"]:
        sys.exit(f"{stream}/segments/{name}: SHA-256 differs from its seal entry")
print(f"OK: {expected - 1} entries, head {prev}, {len(sealed) - len(deleted)} sealed segments match")
