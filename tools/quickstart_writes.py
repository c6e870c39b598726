#!/usr/bin/env python3
"""Quick start: create a DynamoDB table with a stream on moto and write a few hundred changes.

Usage: tools/quickstart_writes.py ENDPOINT_URL TABLE [ORDERS]

Writes ORDERS orders (default 100): each is inserted, updated twice (status changes, with exact
38-digit totals), and every tenth one is deleted. Prints a JSON summary on stdout.
"""

import json
import os
import sys

import boto3


def main() -> int:
    endpoint, table = sys.argv[1], sys.argv[2]
    orders = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
    created = ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    changes = 0
    for i in range(orders):
        key = {"pk": {"S": f"order#{i:05d}"}}
        ddb.put_item(TableName=table, Item={
            **key,
            "status": {"S": "NEW"},
            "total": {"N": f"{i}.{i:02d}"},
            "customer": {"M": {"id": {"S": f"c{i % 17}"}, "vip": {"BOOL": i % 5 == 0}}},
            "items": {"L": [{"S": "sku-1"}, {"N": str(i % 7 + 1)}]},
            "tags": {"SS": ["web", "eu"] if i % 2 else ["app"]},
        })
        ddb.update_item(TableName=table, Key=key, UpdateExpression="SET #s = :s",
                        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "PAID"}})
        ddb.update_item(TableName=table, Key=key, UpdateExpression="SET #s = :s, #t = :t",
                        ExpressionAttributeNames={"#s": "status", "#t": "total"},
                        ExpressionAttributeValues={":s": {"S": "SHIPPED"}, ":t": {"N": "12345678901234567890123456789012345678"}})
        changes += 3
        if i % 10 == 9:
            ddb.delete_item(TableName=table, Key=key)
            changes += 1
    print(json.dumps({"table": table, "streamArn": created["TableDescription"]["LatestStreamArn"], "changes": changes}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
