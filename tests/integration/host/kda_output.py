"""KDA output handlers in Python, as users write them, for handlers.sh
(hosted by kdaout host through pyruntime.py or AWS's awslambdaric)."""
import base64
import json


def handler(event, context):
    """The console's output blueprint: every record Ok."""
    print(f"{len(event['records'])} records for {context.function_name}")
    return {"records": [{"recordId": r["recordId"], "result": "Ok"}
                        for r in event["records"]]}


def poison(event, context):
    """Parses every row as JSON: a bad row raises (the poison pill)."""
    out = []
    for r in event["records"]:
        json.loads(base64.b64decode(r["data"]))
        out.append({"recordId": r["recordId"], "result": "Ok"})
    return {"records": out}
