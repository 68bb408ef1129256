"""A Python Lambda runtime in the standard library only: the Runtime API loop
as AWS's awslambdaric runs it, for hosting a Python handler under `kdaout host`
where pip (and so awslambdaric) is not available.

    kdaout host --handler app.handler -- python3 pyruntime.py

_HANDLER is module.function (dotted packages allowed: pkg.mod.function),
imported from LAMBDA_TASK_ROOT; the handler is called as handler(event,
context).  A handler that cannot be loaded is posted to /runtime/init/error
(Runtime.ImportModuleError, Runtime.HandlerNotFound, ...) and the process
exits 1, as awslambdaric does; an exception in the handler is posted to
/invocation/ID/error with errorType, errorMessage and stackTrace.  One
connection per request (the host may close between answers); `next` waits
as long as it takes.  What it does not do: logging formats, X-Ray, streaming.
"""
import http.client
import importlib
import json
import os
import sys
import time
import traceback

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
BASE = "/2018-06-01/runtime"


def request(method, path, body=None, headers=None):
    """One request on a fresh connection; returns (status, headers, body)."""
    conn = http.client.HTTPConnection(API)  # no timeout: `next` long-polls
    try:
        conn.request(method, BASE + path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def error_body(exc, error_type=None, skip_frames=0):
    """awslambdaric's error shape; skip_frames leaves this loop's own frames out."""
    return json.dumps({
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_tb(exc.__traceback__)[skip_frames:],
    }).encode()


def load_handler(spec):
    """_HANDLER module.function -> the function; raises (type, exception)."""
    modname, dot, name = spec.rpartition(".")
    if not dot or not modname or not name:
        raise LoadError("Runtime.MalformedHandlerName",
                        ValueError(f"Bad handler '{spec}': not module.function"))
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()))
    try:
        module = importlib.import_module(modname)
    except SyntaxError as e:
        raise LoadError("Runtime.UserCodeSyntaxError", e) from e
    except Exception as e:  # ImportError and whatever the module raises on import
        raise LoadError("Runtime.ImportModuleError",
                        Exception(f"Unable to import module '{modname}': {e}")) from e
    fn = getattr(module, name, None)
    if not callable(fn):
        raise LoadError("Runtime.HandlerNotFound",
                        Exception(f"Handler '{name}' missing on module '{modname}'"))
    return fn


class LoadError(Exception):
    def __init__(self, error_type, exc):
        super().__init__(str(exc))
        self.error_type, self.exc = error_type, exc


class Context:
    """The members of awslambdaric's LambdaContext that handlers use."""

    def __init__(self, headers):
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


def invoke(handler):
    """One turn of the loop: next, call, post the result or the error."""
    status, headers, body = request("GET", "/invocation/next")
    if status != 200:
        sys.exit(f"pyruntime: next answered {status}")  # as AWS's clients do
    context = Context(headers)
    rid = context.aws_request_id
    try:
        result = json.dumps(handler(json.loads(body), context)).encode()
    except Exception as e:
        traceback.print_exc()
        request("POST", f"/invocation/{rid}/error", error_body(e, skip_frames=1),
                {"Content-Type": "application/json",
                 "Lambda-Runtime-Function-Error-Type": "Unhandled"})
        return
    request("POST", f"/invocation/{rid}/response", result,
            {"Content-Type": "application/json"})


def main():
    # Line by line, so the host sees each output line while the handler runs.
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except LoadError as e:
        print(f"[ERROR] {e.error_type}: {e}", file=sys.stderr, flush=True)
        request("POST", "/init/error", error_body(e.exc, e.error_type),
                {"Content-Type": "application/json",
                 "Lambda-Runtime-Function-Error-Type": e.error_type})
        sys.exit(1)
    while True:
        invoke(handler)


if __name__ == "__main__":
    main()
