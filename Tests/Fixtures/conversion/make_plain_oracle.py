"""Regenerates plain-oracle.ndjson: attribute maps and what boto3's TypeDeserializer makes of them.

Each line: {"image": <DynamoDB attribute map>, "expected": <plain JSON>}. Sets are kept in their given
order (boto3 returns Python sets; StreamVault keeps order), numbers are str(Decimal) (compare by value),
binary is base64. Run: python3 make_plain_oracle.py > plain-oracle.ndjson
"""
import base64, json, random
from decimal import Decimal
from boto3.dynamodb.types import TypeDeserializer, Binary

class OrderedSets(TypeDeserializer):
    def _deserialize_ss(self, v): return list(v)
    def _deserialize_ns(self, v): return [self._deserialize_n(x) for x in v]
    def _deserialize_bs(self, v): return [self._deserialize_b(x) for x in v]

def dump(v):
    if isinstance(v, bool): return "true" if v else "false"
    if v is None: return "null"
    if isinstance(v, Decimal): return str(v)
    if isinstance(v, Binary): return json.dumps(base64.b64encode(v.value).decode())
    if isinstance(v, str): return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list): return "[" + ",".join(dump(x) for x in v) + "]"
    if isinstance(v, dict): return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + dump(x) for k, x in v.items()) + "}"
    raise TypeError(type(v))

rng = random.Random(7)
NUMBERS = ["0", "-0", "12.50", "1E+3", "1e-7", "-1.5E-130", "9.9999999999999999999999999999999999999E+125",
           "12345678901234567890123456789012345678", "-0.000000000000000000000000000000000000001", "1", "-42", "3.14159"]
STRINGS = ["", "plain", "ünïcødé ✓", "emoji 😀", "quote \" backslash \\ slash /", "tab\tnewline\n", "\u0001ctl", "中文"]
def b64(): return base64.b64encode(bytes(rng.randrange(256) for _ in range(rng.randrange(0, 9)))).decode()
def value(depth):
    t = rng.choice(["S","N","B","BOOL","NULL","M","L","SS","NS","BS"] if depth < 4 else ["S","N","B","BOOL","NULL"])
    if t == "S": return {"S": rng.choice(STRINGS)}
    if t == "N": return {"N": rng.choice(NUMBERS)}
    if t == "B": return {"B": b64()}
    if t == "BOOL": return {"BOOL": rng.random() < .5}
    if t == "NULL": return {"NULL": True}
    if t == "M": return {"M": {rng.choice(STRINGS) + str(i): value(depth + 1) for i in range(rng.randrange(0, 4))}}
    if t == "L": return {"L": [value(depth + 1) for _ in range(rng.randrange(0, 4))]}
    if t == "SS": return {"SS": list(dict.fromkeys(rng.choice(STRINGS[1:]) for _ in range(rng.randrange(1, 4))))}
    if t == "NS": return {"NS": list(dict.fromkeys(rng.choice(NUMBERS[2:]) for _ in range(rng.randrange(1, 4))))}
    return {"BS": list(dict.fromkeys(b64() for _ in range(rng.randrange(1, 3))))}
def wire(v):
    # boto3's client decodes B/BS from base64 before the deserializer sees them.
    (t, x), = v.items()
    if t == "B": return {"B": base64.b64decode(x)}
    if t == "BS": return {"BS": [base64.b64decode(y) for y in x]}
    if t == "M": return {"M": {k: wire(y) for k, y in x.items()}}
    if t == "L": return {"L": [wire(y) for y in x]}
    return v
d = OrderedSets()
for _ in range(200):
    image = {"k" + str(i) + rng.choice(STRINGS): value(0) for i in range(rng.randrange(0, 6))}
    plain = {k: d.deserialize(wire(v)) for k, v in image.items()}
    print('{"image":' + json.dumps(image, ensure_ascii=False) + ',"expected":' + dump(plain) + "}")
