/// boto3 scripts for the archiver tests, run against moto.
enum ArchiverScripts {
    /// `table <endpoint> <table>`: creates a table with a NEW_AND_OLD_IMAGES stream, prints `{"streamArn"}`.
    /// `changes <endpoint> <table> <prefix>`: puts items with every attribute type, updates and deletes some.
    /// `records <endpoint> <streamArn>`: every record of every shard from TRIM_HORIZON, as boto3 received them:
    ///   `{"records": [...], "bodies": [raw GetRecords bodies]}`.
    /// `kinesis <endpoint> <stream> <payload-json>...`: creates a 2-shard stream (if new) and puts each payload
    ///   (partition key = its eventID).
    /// `kinesis-records <endpoint> <stream>`: every record of every shard, as boto3 received them, shard by shard.
    static let boto = #"""
        import json, sys, boto3

        def capture(client, event):
            bodies = []
            client.meta.events.register(event, lambda http_response, **_: bodies.append(http_response.content.decode()))
            return bodies

        command, endpoint = sys.argv[1], sys.argv[2]
        if command == "table":
            ddb = boto3.client("dynamodb", endpoint_url=endpoint)
            created = ddb.create_table(
                TableName=sys.argv[3],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            )
            print(json.dumps({"streamArn": created["TableDescription"]["LatestStreamArn"]}))
        elif command == "changes":
            table, prefix = sys.argv[3], sys.argv[4]
            ddb = boto3.client("dynamodb", endpoint_url=endpoint)
            for i in range(3):
                ddb.put_item(TableName=table, Item={
                    "pk": {"S": f"{prefix}#{i} \"quoted\" ünïcode"},
                    "n38": {"N": "1234567890123456789012345678901234567.8"},
                    "neg": {"N": "-0.000000000000000000000000000000000001"},
                    "b": {"B": bytes([0, 255, i])},
                    "flag": {"BOOL": i % 2 == 0},
                    "nothing": {"NULL": True},
                    "m": {"M": {"inner": {"S": "x"}, "deep": {"M": {"l": {"L": [{"N": "1"}, {"S": "two"}]}}}}},
                    "l": {"L": [{"S": "a"}, {"N": "2"}, {"BOOL": False}, {"NULL": True}]},
                    "ss": {"SS": ["a", "b", "c"]},
                    "ns": {"NS": ["1", "2.5", "99999999999999999999999999999999999999"]},
                    "bs": {"BS": [b"\x01", b"\x02\x03"]},
                })
            ddb.update_item(TableName=table, Key={"pk": {"S": f"{prefix}#0 \"quoted\" ünïcode"}},
                            UpdateExpression="SET n38 = :n, ss = :s", ExpressionAttributeValues={
                                ":n": {"N": "99999999999999999999999999999999999999"}, ":s": {"SS": ["z"]}})
            ddb.delete_item(TableName=table, Key={"pk": {"S": f"{prefix}#1 \"quoted\" ünïcode"}})
        elif command == "records":
            arn = sys.argv[3]
            streams = boto3.client("dynamodbstreams", endpoint_url=endpoint)
            bodies = capture(streams, "after-call.dynamodbstreams.GetRecords")
            records = []
            for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
                iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                while iterator:
                    before = len(bodies)
                    page = streams.get_records(ShardIterator=iterator, Limit=1000)
                    page_records = json.loads(bodies[before])["Records"]
                    records += page_records
                    if not page_records:
                        break
                    iterator = page.get("NextShardIterator")
            print(json.dumps({"records": records, "bodies": bodies}))
        elif command == "kinesis":
            stream = sys.argv[3]
            kinesis = boto3.client("kinesis", endpoint_url=endpoint)
            if stream not in kinesis.list_streams()["StreamNames"]:
                kinesis.create_stream(StreamName=stream, ShardCount=2)
            for payload in sys.argv[4:]:
                kinesis.put_record(StreamName=stream, Data=payload.encode(), PartitionKey=json.loads(payload)["eventID"])
        elif command == "kinesis-records":
            stream = sys.argv[3]
            kinesis = boto3.client("kinesis", endpoint_url=endpoint)
            bodies = capture(kinesis, "after-call.kinesis.GetRecords")
            shards = {}
            for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
                iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                before = len(bodies)
                kinesis.get_records(ShardIterator=iterator, Limit=10000)
                shards[shard["ShardId"]] = json.loads(bodies[before])["Records"]
            print(json.dumps({"shards": shards, "bodies": bodies}))
        else:
            sys.exit(f"unknown command {command}")
        """#
}
