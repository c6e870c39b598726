"""The quickstart's Lambda handler: real Lambda code (aws-lambda-powertools' BatchProcessor, as a DynamoDB
event source mapping with ReportBatchItemFailures expects), run unchanged by `streamvault replay --lambda-runtime`
under awslambdaric. It keeps the latest status of each order in a JSON file, as a materialized view would."""
import json
import os

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
VIEW = os.environ.get("QUICKSTART_VIEW", "view.json")
view = {}


def record_handler(record):
    key = record.dynamodb.keys["pk"]
    if record.event_name.value == "REMOVE":
        view.pop(key, None)
    else:
        view[key] = record.dynamodb.new_image.get("status")


def handler(event, context):
    response = process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
    with open(VIEW, "w") as out:
        json.dump(view, out, sort_keys=True)
    return response
