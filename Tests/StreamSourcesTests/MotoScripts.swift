/// Python (boto3) helpers run against moto, so the tests compare StreamVault's clients with AWS's own SDK.
enum MotoScripts {
    /// `dynamodb-setup <endpoint> <table>`: creates a table with a NEW_AND_OLD_IMAGES stream, writes
    /// INSERT, MODIFY, INSERT, REMOVE, and prints `{"streamArn": ...}`.
    /// `dynamodb-records <endpoint> <streamArn>`: prints the `Records` boto3's GetRecords received
    /// (from the raw HTTP body), read from TRIM_HORIZON of the first shard.
    /// `kinesis-setup <endpoint> <stream> <payload-json>...`: creates a 2-shard stream, puts each payload
    /// (partition key = its eventID) and prints `{"puts": [{"ShardId", "SequenceNumber", "PartitionKey"}]}`.
    /// `kinesis-records <endpoint> <stream> <shardId>`: prints the raw `Records` boto3 received for a shard.
    static let boto = #"""
        import json, sys, boto3

        def raw_records(client, operation_event):
            captured = {}
            def grab(http_response, **_):
                captured["body"] = http_response.content
            client.meta.events.register(operation_event, grab)
            return captured

        command, endpoint = sys.argv[1], sys.argv[2]
        if command == "dynamodb-setup":
            table = sys.argv[3]
            ddb = boto3.client("dynamodb", endpoint_url=endpoint)
            created = ddb.create_table(
                TableName=table,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            )
            ddb.put_item(TableName=table, Item={"pk": {"S": "order#1"}, "total": {"N": "12.50"}, "tags": {"SS": ["a", "b"]}})
            ddb.update_item(TableName=table, Key={"pk": {"S": "order#1"}}, UpdateExpression="SET #t = :t", ExpressionAttributeNames={"#t": "total"},
                            ExpressionAttributeValues={":t": {"N": "99999999999999999999.000000000000000001"}})
            ddb.put_item(TableName=table, Item={"pk": {"S": "order#2 \"quoted\" ünïcode"}, "blob": {"B": b"\x00\xff"},
                                                "nested": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": False}]}}}})
            ddb.delete_item(TableName=table, Key={"pk": {"S": "order#2 \"quoted\" ünïcode"}})
            print(json.dumps({"streamArn": created["TableDescription"]["LatestStreamArn"]}))
        elif command == "dynamodb-records":
            arn = sys.argv[3]
            streams = boto3.client("dynamodbstreams", endpoint_url=endpoint)
            shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
            iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            captured = raw_records(streams, "after-call.dynamodbstreams.GetRecords")
            streams.get_records(ShardIterator=iterator, Limit=1000)
            print(json.dumps(json.loads(captured["body"])["Records"]))
        elif command == "kinesis-setup":
            stream = sys.argv[3]
            kinesis = boto3.client("kinesis", endpoint_url=endpoint)
            kinesis.create_stream(StreamName=stream, ShardCount=2)
            puts = []
            for payload in sys.argv[4:]:
                key = json.loads(payload)["eventID"]
                put = kinesis.put_record(StreamName=stream, Data=payload.encode(), PartitionKey=key)
                puts.append({"ShardId": put["ShardId"], "SequenceNumber": put["SequenceNumber"], "PartitionKey": key})
            print(json.dumps({"puts": puts}))
        elif command == "kinesis-records":
            stream, shard = sys.argv[3], sys.argv[4]
            kinesis = boto3.client("kinesis", endpoint_url=endpoint)
            iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            captured = raw_records(kinesis, "after-call.kinesis.GetRecords")
            kinesis.get_records(ShardIterator=iterator)
            print(json.dumps(json.loads(captured["body"])["Records"]))
        else:
            sys.exit(f"unknown command {command}")
        """#
}
