"""The seed's Lambda service: answers with the environment it runs in."""
import json
import os


def handler(event, context):
    return {
        "statusCode": 200,
        "body": json.dumps({"environment": os.environ.get("STAGE", "unknown")}),
    }
