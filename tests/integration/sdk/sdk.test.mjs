// The real AWS SDK for JavaScript v3 (@aws-sdk/client-lambda) against
// `kdaout fake-lambda`: every case checks what the SDK reports, exactly as it
// would report it from AWS (status, FunctionError, payload, error name,
// $metadata, modeled error fields).
//
//   KDAOUT=/path/to/kdaout node --test sdk.test.mjs
//
// KDAOUT defaults to ../../../build/kdaout relative to this file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import {
  LambdaClient,
  InvokeCommand,
  GetFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';

const here = path.dirname(fileURLToPath(import.meta.url));
const KDAOUT = process.env.KDAOUT
  ? path.resolve(process.env.KDAOUT)
  : path.resolve(here, '../../../build/kdaout');

const STARTUP_MS = 10_000;
const STOP_MS = 10_000;
const ACCOUNT = '123456789012';
const FUNCTION = 'kdaout-fake';
const APP_ARN = 'arn:aws:kinesisanalytics:us-east-1:123456789012:application/sdk-test';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Spawns `kdaout fake-lambda --listen 127.0.0.1:0 ARGS...` and resolves once
// the first stdout line `listening on http://HOST:PORT` has arrived.
function startFake(args = []) {
  const proc = spawn(KDAOUT, ['fake-lambda', '--listen', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const lines = createInterface({ input: proc.stdout });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no "listening on" line within ${STARTUP_MS} ms; stderr: ${stderr}`));
    }, STARTUP_MS);
    proc.once('error', (e) => { clearTimeout(timer); reject(e); });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`kdaout exited (code ${code}, signal ${signal}) before listening; stderr: ${stderr}`));
    });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected first line: ${JSON.stringify(line)}`));
    });
  });
  // Stops it with SIGTERM and waits for it to exit; it must exit 0.
  async function stop() {
    lines.close();
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    let timer;
    const result = await Promise.race([
      exited,
      new Promise((resolve) => {
        timer = setTimeout(() => { proc.kill('SIGKILL'); resolve({ code: null, signal: 'timeout' }); }, STOP_MS);
      }),
    ]);
    clearTimeout(timer);
    assert.deepEqual(result, { code: 0, signal: null },
      `kdaout fake-lambda should exit 0 on SIGTERM; stderr: ${stderr}`);
  }
  return { proc, ready, stop, stderr: () => stderr };
}

// Runs body(url, client) against a fresh fake started with args; always stops it.
async function withFake(args, body) {
  const fake = startFake(args);
  let url;
  try {
    url = await fake.ready;
  } catch (e) {
    await fake.stop().catch(() => {});
    throw e;
  }
  const client = new LambdaClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  try {
    await body(url, client);
  } finally {
    client.destroy();
    await fake.stop();
  }
}

// A KDA for SQL output event, as KDA sends it to a Lambda destination.
function kdaEvent(rows, { invocationId = '00540a87-5050-496a-84e4-e7d92bbaf5e2' } = {}) {
  return {
    invocationId,
    applicationArn: APP_ARN,
    records: rows.map((row, i) => ({
      recordId: `4966296865813727627962305127066346834${String(i).padStart(20, '0')}`,
      lambdaDeliveryRecordMetadata: { retryHint: 0 },
      data: Buffer.from(JSON.stringify(row)).toString('base64'),
    })),
  };
}

const ROWS = [
  { TICKER_SYMBOL: 'AMZN', SECTOR: 'TECHNOLOGY', CHANGE: -0.29, PRICE: 851.58 },
  { TICKER_SYMBOL: 'QXZ', SECTOR: 'RETAIL', CHANGE: 1.12, PRICE: 10.21 },
  { TICKER_SYMBOL: 'WSB', SECTOR: 'FINANCIAL', CHANGE: 0.05, PRICE: 18.6 },
];

const payloadOf = (event) => new TextEncoder().encode(JSON.stringify(event));
const decode = (payload) => JSON.parse(Buffer.from(payload).toString('utf8'));

// Awaits a rejection and returns the error (assert.rejects only checks).
async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected the command to reject');
}

test('Invoke: KDA output event -> 200, every record Ok, $LATEST', async () => {
  await withFake([], async (url, client) => {
    const event = kdaEvent(ROWS);
    const out = await client.send(new InvokeCommand({
      FunctionName: FUNCTION,
      InvocationType: 'RequestResponse',
      Payload: payloadOf(event),
    }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    assert.equal(out.ExecutedVersion, '$LATEST');
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.match(out.$metadata.requestId, UUID);
    assert.equal(out.$metadata.attempts, 1);
    assert.deepEqual(decode(out.Payload), {
      records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok' })),
    });

    // The fake saw exactly this invocation, with its ids and hints.
    const seen = await (await fetch(`${url}/_kdaout/invocations`)).json();
    assert.equal(seen.invocations.length, 1);
    const inv = seen.invocations[0];
    assert.equal(inv.function, FUNCTION);
    assert.equal(inv.invocationId, event.invocationId);
    assert.equal(inv.requestId, out.$metadata.requestId);
    assert.deepEqual(inv.recordIds, event.records.map((r) => r.recordId));
    assert.deepEqual(inv.retryHints, [0, 0, 0]);
    assert.equal(inv.status, 200);
  });
});

test('Invoke: FunctionName as a full ARN and as ACCOUNT:function:NAME', async () => {
  await withFake([], async (_url, client) => {
    for (const name of [
      `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${FUNCTION}`,
      `${ACCOUNT}:function:${FUNCTION}`,
    ]) {
      const event = kdaEvent(ROWS.slice(0, 1));
      const out = await client.send(new InvokeCommand({ FunctionName: name, Payload: payloadOf(event) }));
      assert.equal(out.StatusCode, 200, name);
      assert.equal(out.FunctionError, undefined, name);
      assert.deepEqual(decode(out.Payload),
        { records: [{ recordId: event.records[0].recordId, result: 'Ok' }] }, name);
    }
  });
});

test('Invoke: --fail function_error -> 200 with FunctionError Unhandled', async () => {
  await withFake(['--fail', 'function_error'], async (_url, client) => {
    const out = await client.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: payloadOf(kdaEvent(ROWS)) }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    assert.equal(out.ExecutedVersion, '$LATEST');
    const body = decode(out.Payload);
    assert.equal(typeof body.errorType, 'string');
    assert.ok(body.errorType.length > 0);
    assert.equal(typeof body.errorMessage, 'string');
    assert.ok(body.errorMessage.length > 0);
    assert.ok(Array.isArray(body.stackTrace));
  });
});

test('Invoke: --fail timeout --timeout 1s -> Unhandled, Sandbox.Timedout after 1.00 seconds', async () => {
  await withFake(['--fail', 'timeout', '--timeout', '1s'], async (_url, client) => {
    const t0 = performance.now();
    const out = await client.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: payloadOf(kdaEvent(ROWS)) }));
    const elapsed = performance.now() - t0;
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    const body = decode(out.Payload);
    assert.equal(body.errorType, 'Sandbox.Timedout');
    assert.equal(body.errorMessage,
      `RequestId: ${out.$metadata.requestId} Error: Task timed out after 1.00 seconds`);
    assert.ok(elapsed >= 900, `a timeout answers after the function's Timeout (took ${elapsed.toFixed(0)} ms)`);
  });
});

test('Invoke: --fail throttle -> TooManyRequestsException 429 with Reason and retryAfterSeconds', async () => {
  await withFake(['--fail', 'throttle'], async (_url, client) => {
    const err = await rejection(client.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: payloadOf(kdaEvent(ROWS)) })));
    assert.equal(err.name, 'TooManyRequestsException');
    assert.equal(err.$fault, 'client');
    assert.equal(err.$metadata.httpStatusCode, 429);
    assert.equal(err.$metadata.attempts, 1);
    assert.match(err.$metadata.requestId, UUID);
    assert.equal(err.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
    assert.equal(err.Type, 'User');
    assert.equal(err.message, 'Rate Exceeded.');
    // Modeled as @httpHeader("Retry-After"), a string: the SDK reads the header.
    assert.equal(err.retryAfterSeconds, '1');
  });
});

test('Invoke: payload over 6,291,456 bytes -> 413 RequestEntityTooLargeException (unmodeled name)', async () => {
  await withFake([], async (_url, client) => {
    // A valid KDA event of exactly 6,291,457 bytes.
    const event = kdaEvent([{ pad: '' }]);
    event.records[0].data = '';
    const base = payloadOf(event).length;
    event.records[0].data = 'A'.repeat(6_291_457 - base);
    const payload = payloadOf(event);
    assert.equal(payload.length, 6_291_457);
    const err = await rejection(client.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: payload })));
    // AWS answers x-amzn-ErrorType: RequestEntityTooLargeException, which the
    // Lambda model does not define (it models RequestTooLargeException). The
    // SDK keeps the wire name and throws a generic LambdaServiceException.
    assert.equal(err.name, 'RequestEntityTooLargeException');
    assert.equal(err.constructor.name, 'LambdaServiceException');
    assert.equal(err.$fault, 'client');
    assert.equal(err.$metadata.httpStatusCode, 413);
    assert.equal(err.message, 'Request must be smaller than 6291456 bytes for the InvokeFunction operation');
  });
});

test('Invoke: exactly 6,291,456 bytes is accepted', async () => {
  await withFake([], async (_url, client) => {
    const event = kdaEvent([{ pad: '' }]);
    event.records[0].data = '';
    const base = payloadOf(event).length;
    event.records[0].data = 'A'.repeat(6_291_456 - base);
    const payload = payloadOf(event);
    assert.equal(payload.length, 6_291_456);
    const out = await client.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: payload }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    assert.deepEqual(decode(out.Payload),
      { records: [{ recordId: event.records[0].recordId, result: 'Ok' }] });
  });
});

test('Invoke: unknown function -> ResourceNotFoundException 404', async () => {
  await withFake([], async (_url, client) => {
    const err = await rejection(client.send(new InvokeCommand({ FunctionName: 'no-such-function', Payload: payloadOf(kdaEvent(ROWS)) })));
    assert.equal(err.name, 'ResourceNotFoundException');
    assert.equal(err.$fault, 'client');
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(err.Type, 'User');
    assert.match(err.message, /no-such-function/);
  });
});

test('Invoke: body not JSON -> InvalidRequestContentException 400', async () => {
  await withFake([], async (_url, client) => {
    const err = await rejection(client.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: new TextEncoder().encode('this is not json') })));
    assert.equal(err.name, 'InvalidRequestContentException');
    assert.equal(err.$fault, 'client');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.Type, 'User');
    assert.match(err.message, /json/i);
  });
});

test('Invoke: --fail service_error -> ServiceException 500', async () => {
  await withFake(['--fail', 'service_error'], async (_url, client) => {
    const err = await rejection(client.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: payloadOf(kdaEvent(ROWS)) })));
    assert.equal(err.name, 'ServiceException');
    assert.equal(err.$fault, 'server');
    assert.equal(err.$metadata.httpStatusCode, 500);
    assert.equal(err.$metadata.attempts, 1);
    assert.equal(err.Type, 'Service');
  });
});

test('GetFunctionConfiguration: --timeout/--memory/--function as configured, Active, Successful', async () => {
  await withFake(['--function', 'kda-sink', '--timeout', '7s', '--memory', '512'], async (_url, client) => {
    const out = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'kda-sink' }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.FunctionName, 'kda-sink');
    assert.equal(out.FunctionArn, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:kda-sink`);
    assert.equal(out.Timeout, 7);
    assert.equal(out.MemorySize, 512);
    assert.equal(out.State, 'Active');
    assert.equal(out.LastUpdateStatus, 'Successful');
    assert.equal(out.Version, '$LATEST');
  });
});

test('GetFunctionConfiguration: defaults (3 s, 128 MB, kdaout-fake)', async () => {
  await withFake([], async (_url, client) => {
    const out = await client.send(new GetFunctionConfigurationCommand({ FunctionName: FUNCTION }));
    assert.equal(out.FunctionName, FUNCTION);
    assert.equal(out.FunctionArn, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${FUNCTION}`);
    assert.equal(out.Timeout, 3);
    assert.equal(out.MemorySize, 128);
    assert.equal(out.State, 'Active');
    assert.equal(out.LastUpdateStatus, 'Successful');
  });
});
