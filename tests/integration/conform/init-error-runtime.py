#!/usr/bin/env python3
"""A runtime whose handler cannot start, for conform.sh: what AWS's
aws-lambda-ric does when the handler's module is missing (NOTES.md in
tests/integration/ric).  Posts to /2018-06-01/runtime/init/error with the
header Lambda-Runtime-Function-Error-Type and the same errorType in the body,
then exits 1 without ever asking for an invocation.  With the argument
--header-only the type is only in the header and the body is plain text (the
Runtime API allows it).  Stdlib only; talks to AWS_LAMBDA_RUNTIME_API
(host:port) set by `kdaout host`."""
import http.client
import json
import os
import sys

ERROR = {"errorType": "Runtime.ImportModuleError",
         "errorMessage": "Error: Cannot find module 'index'",
         "trace": ["Runtime.ImportModuleError: Error: Cannot find module 'index'"]}

host, _, port = os.environ["AWS_LAMBDA_RUNTIME_API"].partition(":")
conn = http.client.HTTPConnection(host, int(port or 80), timeout=10)
body = json.dumps(ERROR).encode()
if "--header-only" in sys.argv:
    body = ERROR["errorMessage"].encode()
conn.request("POST", "/2018-06-01/runtime/init/error", body=body,
             headers={"Content-Type": "application/json",
                      "Lambda-Runtime-Function-Error-Type": ERROR["errorType"]})
conn.getresponse().read()
sys.exit(1)
