#!/usr/bin/python3
"""boto3/botocore (Debian's python3-boto3) against the Invoke API front that
`kdaout fake-lambda` and `kdaout host` serve (issue 11; the expected
behaviour is summarised in tests/integration/wire.sh).

  wire_boto3.py URL KIND FUNCTION MODE [TIMEOUT SEEN]
    KIND  fake | host         which server URL is
    MODE  main                every invocation type, bodies, errors, names, Tail
          throttle | service  the server is `fake-lambda --fail throttle|service_error`
    TIMEOUT  the function's Timeout (GetFunctionConfiguration must say it)
    SEEN     host: the file the runtime (wire/runtime.py) appends each marker to

Prints `ok - ...` / `not ok - ...` per assertion; exit 1 if any failed.
"""
import base64
import json
import sys
import uuid

import boto3
import botocore.config
from botocore.exceptions import ClientError

import wire_common as wc

URL, KIND, FUNCTION, MODE = sys.argv[1:5]
TIMEOUT = int(sys.argv[5]) if len(sys.argv) > 5 else 3
SEEN = sys.argv[6] if len(sys.argv) > 6 else ""
T = wc.Tally("boto3 %s" % KIND)

client = boto3.client(
    "lambda", region_name="us-east-1", endpoint_url=URL,
    config=botocore.config.Config(retries={"total_max_attempts": 1},
                                  connect_timeout=5, read_timeout=60))


def invoke(**kw):
    kw.setdefault("FunctionName", FUNCTION)
    resp = client.invoke(**kw)
    resp["Body"] = resp["Payload"].read()
    return resp


def expect_error(what, cls, code, status, member, fn, contains=None):
    """Runs fn, which must raise cls (a modelled class, or None for an
    unmodelled code: a plain ClientError) with this code and status, a
    non-empty Error.Message, and the modelled member (if any) filled.
    Returns the exception (or None)."""
    try:
        fn()
    except ClientError as e:
        err = e.response.get("Error", {})
        meta = e.response.get("ResponseMetadata", {})
        if cls is not None:
            T.check(isinstance(e, cls), "%s: raises %s" % (what, cls.__name__),
                    "got %s" % type(e).__name__)
        else:
            T.check(type(e) is ClientError, "%s: an unmodelled code, a plain ClientError" % what,
                    type(e).__name__)
        T.check(err.get("Code") == code, "%s: Error.Code %s" % (what, code), err.get("Code"))
        T.check(meta.get("HTTPStatusCode") == status, "%s: HTTP %d" % (what, status),
                meta.get("HTTPStatusCode"))
        msg = err.get("Message", "")
        T.check(bool(msg), "%s: non-empty Error.Message" % what, repr(err))
        if contains:
            T.check(contains in msg, "%s: Message names %r" % (what, contains), msg)
        if member:
            T.check(bool(e.response.get(member)),
                    "%s: the modelled member %r is filled" % (what, member),
                    "response keys %s" % sorted(e.response))
        T.check(bool(meta.get("RequestId")), "%s: x-amzn-RequestId" % what)
        return e
    except Exception as e:  # noqa: BLE001 -- any other exception is a failure
        T.check(False, "%s: raises %s" % (what, code), "%s: %s" % (type(e).__name__, e))
        return None
    T.check(False, "%s: raises %s" % (what, code), "it returned normally")
    return None


MAIN = []


def case(fn):
    """Registers one case of MODE main."""
    MAIN.append(fn)
    return fn


def run(fn):
    """Runs one case; an unexpected exception is a failed assertion, and the
    other cases still run."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        T.check(False, "%s completes" % fn.__name__, "%s: %s" % (type(e).__name__, e))


def flush():
    """A RequestResponse invocation: one invocation at a time, in arrival
    order, so anything sent before it has run (or never will) once it returns."""
    ev, _ = wc.kda_event("flush")
    invoke(Payload=ev)


def ran(marker):
    """Whether the function saw an invocation with this marker (the host:
    the runtime's file; the fake: GET /_kdaout/invocations)."""
    if KIND == "host":
        return marker in wc.read_lines(SEEN)
    return wc.fake_count(URL, marker) > 0


def ok_reply(resp, rid, what):
    T.check(resp["StatusCode"] == 200, "%s: StatusCode 200" % what, resp["StatusCode"])
    T.check("FunctionError" not in resp, "%s: no FunctionError" % what, resp.get("FunctionError"))
    try:
        body = json.loads(resp["Body"])
    except ValueError:
        body = resp["Body"][:200]
    T.check(body == {"records": [{"recordId": rid, "result": "Ok"}]},
            "%s: the reply acknowledges the record Ok" % what, body)


@case
def request_response():
    ev, rid = wc.kda_event("rr")
    resp = invoke(Payload=ev)
    ok_reply(resp, rid, "RequestResponse")
    T.check(resp.get("ExecutedVersion") == "$LATEST", "RequestResponse: ExecutedVersion $LATEST",
            resp.get("ExecutedVersion"))
    T.check("LogResult" not in resp, "RequestResponse without LogType: no LogResult")
    T.check(bool(resp["ResponseMetadata"].get("RequestId")), "RequestResponse: x-amzn-RequestId")
    resp = invoke(Payload=ev, InvocationType="RequestResponse", LogType="None")
    ok_reply(resp, rid, "InvocationType RequestResponse, LogType None")
    T.check("LogResult" not in resp, "LogType None: no LogResult")


@case
def event():
    marker = "event-" + uuid.uuid4().hex
    ev, _ = wc.kda_event("ev", invocation_id=marker)
    resp = invoke(Payload=ev, InvocationType="Event")
    T.check(resp["StatusCode"] == 202, "Event: StatusCode 202", resp["StatusCode"])
    T.check(resp["Body"] == b"", "Event: empty payload", resp["Body"][:200])
    T.check(bool(resp["ResponseMetadata"].get("RequestId")), "Event: x-amzn-RequestId")
    T.check(wc.eventually(lambda: ran(marker)), "Event: the function ran afterwards (within 10 s)")


@case
def dry_run():
    marker = "dryrun-" + uuid.uuid4().hex
    ev, _ = wc.kda_event("dry", invocation_id=marker)
    resp = invoke(Payload=ev, InvocationType="DryRun")
    T.check(resp["StatusCode"] == 204, "DryRun: StatusCode 204", resp["StatusCode"])
    T.check(resp["Body"] == b"", "DryRun: empty payload", resp["Body"][:200])
    T.check(bool(resp["ResponseMetadata"].get("RequestId")), "DryRun: x-amzn-RequestId")
    flush()
    T.check(not ran(marker),
            "DryRun: the function did not run")


@case
def empty_body():
    resp = invoke()
    T.check(resp["StatusCode"] == 200, "empty body: StatusCode 200", resp["StatusCode"])
    body = json.loads(resp["Body"]) if resp["Body"] else None
    if KIND == "host":
        T.check("FunctionError" not in resp, "empty body: no FunctionError", resp.get("FunctionError"))
        T.check(body == {"echo": {}}, "empty body: the handler receives {}", body)
    else:
        T.check(resp.get("FunctionError") == "Unhandled",
                "empty body: {} is not a KDA event: FunctionError Unhandled", resp.get("FunctionError"))
        T.check(isinstance(body, dict) and body.get("errorType") == "InvalidEvent",
                "empty body: errorType InvalidEvent", body)


@case
def not_json():
    e = expect_error("non-JSON body", client.exceptions.InvalidRequestContentException,
                     "InvalidRequestContentException", 400, "message",
                     lambda: invoke(Payload=b"this is { not JSON"))
    if e is not None:
        msg = e.response["Error"].get("Message", "")
        T.check(msg.startswith("Could not parse request body into json"),
                "non-JSON body: Message starts 'Could not parse request body into json'", msg)


@case
def limits():
    marker = "big-" + uuid.uuid4().hex
    ev, rid = wc.kda_event_of_size(wc.LIMIT, marker)
    assert len(ev) == wc.LIMIT
    ok_reply(invoke(Payload=ev), rid, "exactly 6,291,456 bytes")
    over_marker = "over-" + uuid.uuid4().hex
    over, _ = wc.kda_event_of_size(wc.LIMIT + 1, over_marker)
    e = expect_error("6,291,457 bytes", None, "RequestEntityTooLargeException", 413, None,
                     lambda: invoke(Payload=over))
    if e is not None:
        T.check(e.response["Error"].get("Message") == wc.TOO_LARGE,
                "6,291,457 bytes: the service's message", e.response["Error"].get("Message"))
    flush()
    T.check(not ran(over_marker), "6,291,457 bytes: never reaches the function")


@case
def unknown_function():
    name = "wire-no-such-function"
    arn = wc.ARN_PREFIX + name
    expect_error("unknown function", client.exceptions.ResourceNotFoundException,
                 "ResourceNotFoundException", 404, "Message",
                 lambda: invoke(FunctionName=name, Payload=b"{}"), contains=arn)
    expect_error("unknown function, qualified", client.exceptions.ResourceNotFoundException,
                 "ResourceNotFoundException", 404, "Message",
                 lambda: invoke(FunctionName=name + ":live", Payload=b"{}"),
                 contains=arn + ":live")
    expect_error("GetFunctionConfiguration, unknown function",
                 client.exceptions.ResourceNotFoundException, "ResourceNotFoundException", 404,
                 "Message", lambda: client.get_function_configuration(FunctionName=name),
                 contains=arn)


@case
def bad_parameters():
    expect_error("name:Q with a different Qualifier",
                 client.exceptions.InvalidParameterValueException,
                 "InvalidParameterValueException", 400, "message",
                 lambda: invoke(FunctionName=FUNCTION + ":live", Qualifier="other", Payload=b"{}"))
    expect_error("InvocationType Bogus", client.exceptions.InvalidParameterValueException,
                 "InvalidParameterValueException", 400, "message",
                 lambda: invoke(InvocationType="Bogus", Payload=b"{}"))
    expect_error("LogType Bogus", client.exceptions.InvalidParameterValueException,
                 "InvalidParameterValueException", 400, "message",
                 lambda: invoke(LogType="Bogus", Payload=b"{}"))
    expect_error("GetFunction (an operation not served)", None, "UnknownOperationException",
                 404, None, lambda: client.get_function(FunctionName=FUNCTION))
    expect_error("UpdateFunctionConfiguration (PUT on .../configuration)", None,
                 "MethodNotAllowedException", 405, None,
                 lambda: client.update_function_configuration(FunctionName=FUNCTION, Timeout=5))


@case
def log_tail():
    marker = "tail-" + uuid.uuid4().hex
    ev, rid = wc.kda_event("tail", invocation_id=marker)
    resp = invoke(Payload=ev, LogType="Tail")
    ok_reply(resp, rid, "LogType Tail")
    log = resp.get("LogResult")
    T.check(bool(log), "LogType Tail: LogResult present")
    if not log:
        return
    text = base64.b64decode(log).decode("utf-8", "replace")
    for problem in wc.tail_problems(text, marker if KIND == "host" else None):
        T.check(False, "LogType Tail: " + problem, text[-600:])
    T.check(len(base64.b64decode(log)) <= 4096, "LogType Tail: at most 4,096 bytes")


@case
def configuration():
    conf = client.get_function_configuration(FunctionName=FUNCTION)
    T.check(conf.get("FunctionArn") == wc.ARN_PREFIX + FUNCTION,
            "GetFunctionConfiguration: FunctionArn", conf.get("FunctionArn"))
    T.check(conf.get("Timeout") == TIMEOUT, "GetFunctionConfiguration: Timeout %d" % TIMEOUT,
            conf.get("Timeout"))
    conf = client.get_function_configuration(FunctionName=FUNCTION, Qualifier="live")
    T.check(conf.get("FunctionArn") == wc.ARN_PREFIX + FUNCTION + ":live",
            "GetFunctionConfiguration Qualifier=live: FunctionArn ends :live", conf.get("FunctionArn"))


@case
def names():
    for name, arn in wc.function_names(FUNCTION):
        ev, rid = wc.kda_event("names")
        try:
            ok_reply(invoke(FunctionName=name, Payload=ev), rid, "Invoke %s" % name)
            conf = client.get_function_configuration(FunctionName=name)
            T.check(conf.get("FunctionArn") == arn,
                    "GetFunctionConfiguration %s: FunctionArn %s" % (name, arn),
                    conf.get("FunctionArn"))
        except ClientError as e:
            T.check(False, "function name %s works" % name, str(e))
    ev, rid = wc.kda_event("qualifier")
    resp = invoke(Payload=ev, Qualifier="7")
    ok_reply(resp, rid, "Qualifier=7")
    T.check(resp.get("ExecutedVersion") == "7", "Qualifier=7: ExecutedVersion 7",
            resp.get("ExecutedVersion"))


def throttle():
    ev, rid = wc.kda_event("throttle")
    e = expect_error("throttle", client.exceptions.TooManyRequestsException,
                     "TooManyRequestsException", 429, "message", lambda: invoke(Payload=ev))
    if e is None:
        return
    T.check(bool(e.response.get("Reason")), "throttle: Reason filled", sorted(e.response))
    T.check(bool(e.response.get("retryAfterSeconds")), "throttle: retryAfterSeconds filled",
            sorted(e.response))
    headers = e.response["ResponseMetadata"].get("HTTPHeaders", {})
    T.check(bool(headers.get("retry-after")), "throttle: Retry-After header")
    T.check(e.response["ResponseMetadata"].get("RetryAttempts") == 0,
            "throttle: one attempt (retries disabled)")
    T.check(wc.fake_count(URL, "inv-" + rid) == 1, "throttle: the fake saw one attempt")


def service():
    ev, _ = wc.kda_event("service")
    expect_error("service error", client.exceptions.ServiceException, "ServiceException", 500,
                 "Message", lambda: invoke(Payload=ev))


for fn in {"main": MAIN, "throttle": [throttle], "service": [service]}[MODE]:
    run(fn)
sys.exit(T.finish())
