#!/usr/bin/env python3
"""Real AWS clients (boto3) against `streamvault serve`, for the tests and tools/bench-server.

  ingest URL STREAM FILE [SHARD [PARENT]]     POST FILE's NDJSON records as Lambda event batches of 100
  read-ddb URL OUT                            every stream's shards in lineage order, TRIM_HORIZON to the end;
                                              the raw records (as the server sent them) to OUT, one per line
  kcl-kinesis URL STREAM OUT                  a KCL-like poller: a shard starts once its parents are done; checks
                                              each record is seen exactly once; the payloads' eventIDs to OUT
  at-timestamp URL STREAM SHARD SECONDS       the first record's SequenceNumber from AT_TIMESTAMP
  errors URL STREAM SHARD                     every error case; prints `case code` lines
  signed URL KEY SECRET                       ListStreams signed with KEY/SECRET; prints `ok` or the error code
Credentials default to test/test in us-east-1 (the server checks them only with --auth sigv4).
"""
import json
import os
import sys
import urllib.request

import boto3
import botocore.config
from botocore.exceptions import ClientError


def client(service, url, key="test", secret="test"):
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )


def raw_records(c, event):
    """Collects GetRecords' records exactly as the server sent them (before botocore parses them)."""
    pages = []

    def hook(http_response, **_):
        if http_response.status_code == 200:
            pages.append(json.loads(http_response.content)["Records"])

    c.meta.events.register(event, hook)
    return pages


def ingest(url, stream, path, shard=None, parent=None):
    lines = [l for l in open(path, encoding="utf-8").read().split("\n") if l.strip()]
    query = []
    if shard:
        query.append("shard=" + shard)
    if parent:
        query.append("parent=" + parent)
    target = url + "/ingest/" + stream + ("?" + "&".join(query) if query else "")
    for i in range(0, len(lines), 100):
        body = ('{"Records":[' + ",".join(lines[i : i + 100]) + "]}").encode()
        with urllib.request.urlopen(urllib.request.Request(target, data=body, method="POST")) as r:
            assert r.status == 200, r.read()


def lineage_order(shards, parents_of):
    done, order = set(), []
    while len(order) < len(shards):
        progressed = False
        for s in shards:
            if s in done:
                continue
            if all(p in done or p not in shards for p in parents_of(s)):
                order.append(s)
                done.add(s)
                progressed = True
        assert progressed, "lineage has a cycle"
    return order


def read_ddb(url, out):
    c = client("dynamodbstreams", url)
    pages = raw_records(c, "after-call.dynamodbstreams.GetRecords")
    arns, start = [], None
    while True:
        kw = {"Limit": 1}
        if start:
            kw["ExclusiveStartStreamArn"] = start
        r = c.list_streams(**kw)
        arns += [s["StreamArn"] for s in r["Streams"]]
        start = r.get("LastEvaluatedStreamArn")
        if not start:
            break
    with open(out, "w", encoding="utf-8") as f:
        for arn in sorted(arns):
            shards, start = [], None
            while True:
                kw = {"StreamArn": arn, "Limit": 1}
                if start:
                    kw["ExclusiveStartShardId"] = start
                d = c.describe_stream(**kw)["StreamDescription"]
                shards += d["Shards"]
                start = d.get("LastEvaluatedShardId")
                if not start:
                    break
            by_id = {s["ShardId"]: s for s in shards}
            for shard_id in lineage_order(list(by_id), lambda s: [p for p in [by_id[s].get("ParentShardId")] if p]):
                it = c.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                while it:
                    del pages[:]
                    r = c.get_records(ShardIterator=it, Limit=1000)
                    for record in pages[0]:
                        f.write(json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n")
                    it = r.get("NextShardIterator")
                    if not r["Records"]:
                        break  # an open shard's end: nothing more now


def kcl_kinesis(url, stream, out):
    import base64

    c = client("kinesis", url)
    shards, token = [], None
    while True:
        r = c.list_shards(NextToken=token, MaxResults=1) if token else c.list_shards(StreamName=stream, MaxResults=1)
        shards += r["Shards"]
        token = r.get("NextToken")
        if not token:
            break
    by_id = {s["ShardId"]: s for s in shards}
    parents = lambda s: [p for p in [by_id[s].get("ParentShardId"), by_id[s].get("AdjacentParentShardId")] if p]
    finished, seen, order = set(), {}, []
    pending = list(by_id)
    while pending:
        ready = [s for s in pending if all(p in finished or p not in by_id for p in parents(s))]
        assert ready, "no shard can start: parents never finished"
        for shard_id in ready:
            pending.remove(shard_id)
            it = c.get_shard_iterator(StreamName=stream, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                r = c.get_records(ShardIterator=it, Limit=250)
                for record in r["Records"]:
                    payload = json.loads(record["Data"])
                    key = payload["eventID"]
                    assert key not in seen, "record %s seen twice (shards %s and %s)" % (key, seen[key], shard_id)
                    seen[key] = shard_id
                    order.append(key)
                if "NextShardIterator" not in r or r.get("NextShardIterator") is None:
                    children = [child["ShardId"] for child in r.get("ChildShards", [])]
                    for child in children:
                        assert child in by_id, "ChildShards names %s, which ListShards did not" % child
                    break
                it = r["NextShardIterator"]
                if not r["Records"] and r.get("MillisBehindLatest", 0) == 0:
                    break  # an open shard's end
            finished.add(shard_id)
    with open(out, "w", encoding="utf-8") as f:
        for key in order:
            f.write(key + "\n")


def at_timestamp(url, stream, shard, seconds):
    import datetime

    c = client("kinesis", url)
    when = datetime.datetime.fromtimestamp(float(seconds), tz=datetime.timezone.utc)
    it = c.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="AT_TIMESTAMP", Timestamp=when)["ShardIterator"]
    r = c.get_records(ShardIterator=it, Limit=1)
    print(r["Records"][0]["SequenceNumber"] if r["Records"] else "none")


def errors(url, stream, shard):
    ddb = client("dynamodbstreams", url)
    kin = client("kinesis", url)
    arn = ddb.list_streams()["Streams"][0]["StreamArn"]

    def code(name, call):
        try:
            call()
            print(name, "no-error")
        except ClientError as e:
            print(name, e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])

    code("ddb-unknown-stream", lambda: ddb.describe_stream(StreamArn=arn.replace(stream, stream + "-missing")))
    code("ddb-unknown-shard", lambda: ddb.get_shard_iterator(StreamArn=arn, ShardId="shardId-00000000000000000000-nothere0", ShardIteratorType="LATEST"))
    code("ddb-garbage-iterator", lambda: ddb.get_records(ShardIterator="x" * 100))
    code("ddb-limit", lambda: ddb.get_records(ShardIterator="x" * 100, Limit=1001))
    code("ddb-trimmed", lambda: ddb.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber="1" + "0" * 19 + "1"))
    it = kin.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    code("ddb-kinesis-iterator", lambda: ddb.get_records(ShardIterator=it))
    code("kinesis-unknown-stream", lambda: kin.describe_stream_summary(StreamName=stream + "-missing"))
    code("kinesis-bad-sequence", lambda: kin.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="1"))
    code("kinesis-garbage-iterator", lambda: kin.get_records(ShardIterator="y" * 100))
    code("kinesis-both-token-and-name", lambda: kin.list_shards(StreamName=stream, NextToken="abc"))
    raw = urllib.request.Request(url + "/", data=b"{nope", method="POST", headers={"X-Amz-Target": "Kinesis_20131202.ListStreams"})
    try:
        urllib.request.urlopen(raw)
        print("malformed-json no-error")
    except urllib.error.HTTPError as e:
        print("malformed-json", json.loads(e.read())["__type"], e.code)
    raw = urllib.request.Request(url + "/", data=b"{}", method="POST", headers={"X-Amz-Target": "Kinesis_20131202.PutRecord"})
    try:
        urllib.request.urlopen(raw)
        print("unknown-operation no-error")
    except urllib.error.HTTPError as e:
        print("unknown-operation", json.loads(e.read())["__type"], e.code)


def signed(url, key, secret):
    for service in ["dynamodbstreams", "kinesis"]:
        c = client(service, url, key, secret)
        try:
            c.list_streams()
            print(service, "ok")
        except ClientError as e:
            print(service, e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {
        "ingest": ingest,
        "read-ddb": read_ddb,
        "kcl-kinesis": kcl_kinesis,
        "at-timestamp": at_timestamp,
        "errors": errors,
        "signed": signed,
    }[command](*args)
