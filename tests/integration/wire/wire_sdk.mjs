// The AWS SDK for JavaScript v3 (@aws-sdk/client-lambda, installed in
// tests/integration/sdk/node_modules by `npm ci`) against the Invoke API front
// that `kdaout fake-lambda` and `kdaout host` serve (issue 11): the same cases
// as wire_boto3.py, as the SDK reports them (status, FunctionError, Payload,
// LogResult, the modelled exception class and its members, $metadata).
//
//   node wire_sdk.mjs SDK_DIR URL KIND FUNCTION MODE [TIMEOUT SEEN]
//     SDK_DIR  the folder whose node_modules holds @aws-sdk/client-lambda
//     KIND     fake | host;  MODE  main | throttle | service
//     TIMEOUT  the function's Timeout;  SEEN  host: the runtime's marker file
//
// Prints `ok - ...` / `not ok - ...` per assertion; exit 1 if any failed.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [sdkDir, URL_, KIND, FUNCTION, MODE, timeoutArg, SEEN] = process.argv.slice(2);
const TIMEOUT = Number(timeoutArg ?? 3);
const require = createRequire(path.join(path.resolve(sdkDir), 'package.json'));
const sdk = require('@aws-sdk/client-lambda');
const {
  LambdaClient, InvokeCommand, GetFunctionConfigurationCommand, GetFunctionCommand,
  UpdateFunctionConfigurationCommand, LambdaServiceException,
} = sdk;

const LIMIT = 6291456;
const TOO_LARGE = 'Request must be smaller than 6291456 bytes for the InvokeFunction operation';
const ACCOUNT = '123456789012';
const ARN_PREFIX = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:`;
const APP_ARN = `arn:aws:kinesisanalytics:us-east-1:${ACCOUNT}:application/wire-test`;
const SAMPLE_DATA = 'SGVsbG8gV29ybGQ='; // AWS's sample output event's data
const LABEL = `sdk-v3 ${KIND}`;

let passed = 0;
let failed = 0;
function check(cond, what, ...detail) {
  if (cond) {
    passed++;
    console.log(`ok - ${LABEL}: ${what}`);
  } else {
    failed++;
    const extra = detail.length ? ` (got: ${String(detail[0]).slice(0, 400)})` : '';
    console.log(`not ok - ${LABEL}: ${what}${extra}`);
  }
}

// Credentials from the environment (AWS_ACCESS_KEY_ID ...), as a user's would be.
const client = new LambdaClient({ region: 'us-east-1', endpoint: URL_, maxAttempts: 1 });
const enc = new TextEncoder();
const dec = new TextDecoder();

function event(invocationId, recordId, data) {
  return JSON.stringify({
    invocationId,
    applicationArn: APP_ARN,
    records: [{ recordId, lambdaDeliveryRecordMetadata: { retryHint: 0 }, data }],
  });
}
// A one-record KDA output event: [bytes, its recordId].
function kdaEvent(tag, invocationId) {
  const rid = `${tag}-${randomUUID()}`;
  return [enc.encode(event(invocationId ?? `inv-${rid}`, rid, SAMPLE_DATA)), rid];
}
// A KDA output event of exactly `size` bytes, its data valid base64.
function kdaEventOfSize(size, invocationId) {
  let rid = `big-${randomUUID()}`;
  const room = size - event(invocationId, rid, '').length;
  const dataLen = room - (room % 4);
  rid += 'x'.repeat(room - dataLen);
  const ev = enc.encode(event(invocationId, rid, 'A'.repeat(dataLen)));
  if (ev.length !== size) throw new Error(`event of ${ev.length} bytes, not ${size}`);
  return [ev, rid];
}

async function invoke(input) {
  const resp = await client.send(new InvokeCommand({ FunctionName: FUNCTION, ...input }));
  resp.body = resp.Payload ? dec.decode(resp.Payload) : '';
  return resp;
}
const configuration = (input) => client.send(new GetFunctionConfigurationCommand(input));

// fn must throw cls (a modelled class, or null for an unmodelled code) named
// `code`, with this status, a non-empty message, and `member` (if any) filled.
async function expectError(what, cls, code, status, member, fn, contains) {
  let e;
  try {
    await fn();
    check(false, `${what}: throws ${code}`, 'it returned normally');
    return null;
  } catch (err) {
    e = err;
  }
  if (cls) check(e instanceof cls, `${what}: instanceof ${cls.name}`, e?.constructor?.name);
  else check(e?.constructor === LambdaServiceException, `${what}: unmodelled, a plain LambdaServiceException`, e?.constructor?.name);
  check(e.name === code, `${what}: name ${code}`, e.name);
  check(e.$metadata?.httpStatusCode === status, `${what}: HTTP ${status}`, e.$metadata?.httpStatusCode);
  check(typeof e.message === 'string' && e.message !== '' && e.message !== 'UnknownError',
    `${what}: non-empty message`, e.message);
  if (contains) check(e.message?.includes(contains), `${what}: message names ${contains}`, e.message);
  if (member) {
    // The SDK moves a modelled `Message` into `message`; anything else stays.
    const v = member === 'Message' ? (e.Message ?? e.message) : e[member];
    check(typeof v === 'string' && v !== '' && v !== 'UnknownError',
      `${what}: the modelled member ${member} is filled`, JSON.stringify(e));
  }
  check(!!e.$metadata?.requestId, `${what}: x-amzn-RequestId`);
  return e;
}

const MAIN = [];
const kase = (name, fn) => MAIN.push([name, fn]);

async function flush() {
  // One invocation at a time, in arrival order: once this returns, anything
  // sent before it has run (or never will).
  await invoke({ Payload: kdaEvent('flush')[0] });
}
async function fakeCount(invocationId) {
  const log = await (await fetch(`${URL_}/_kdaout/invocations`)).json();
  return log.invocations.filter((i) => i.invocationId === invocationId).length;
}
function seenLines() {
  try { return readFileSync(SEEN, 'utf8').split('\n'); } catch { return []; }
}
async function ran(marker) {
  return KIND === 'host' ? seenLines().includes(marker) : (await fakeCount(marker)) > 0;
}
async function eventually(pred, ms = 10_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await pred()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
function okReply(resp, rid, what) {
  check(resp.StatusCode === 200, `${what}: StatusCode 200`, resp.StatusCode);
  check(resp.FunctionError === undefined, `${what}: no FunctionError`, resp.FunctionError);
  let body;
  try { body = JSON.parse(resp.body); } catch { body = resp.body.slice(0, 200); }
  check(JSON.stringify(body) === JSON.stringify({ records: [{ recordId: rid, result: 'Ok' }] }),
    `${what}: the reply acknowledges the record Ok`, JSON.stringify(body));
}
function tailProblems(text, marker) {
  const problems = [];
  const ids = new Set();
  for (const [word, re] of [['START', /START RequestId: (\S+) Version: \S+\n/],
    ['END', /END RequestId: (\S+)\n/],
    ['REPORT', /REPORT RequestId: (\S+)\tDuration: [0-9.]+ ms\t/]]) {
    const m = re.exec(text);
    if (m) ids.add(m[1]); else problems.push(`a ${word} RequestId: line`);
  }
  if (ids.size > 1) problems.push('one RequestId on START, END and REPORT');
  if (marker) {
    for (const line of [`wire-handler: invoked ${marker}`, `wire-handler: on stderr ${marker}`]) {
      if (!text.includes(line)) problems.push(`the handler's line '${line}'`);
    }
  }
  return problems;
}

kase('RequestResponse', async () => {
  const [ev, rid] = kdaEvent('rr');
  let resp = await invoke({ Payload: ev });
  okReply(resp, rid, 'RequestResponse');
  check(resp.ExecutedVersion === '$LATEST', 'RequestResponse: ExecutedVersion $LATEST', resp.ExecutedVersion);
  check(resp.LogResult === undefined, 'RequestResponse without LogType: no LogResult');
  check(!!resp.$metadata.requestId, 'RequestResponse: x-amzn-RequestId');
  resp = await invoke({ Payload: ev, InvocationType: 'RequestResponse', LogType: 'None' });
  okReply(resp, rid, 'InvocationType RequestResponse, LogType None');
  check(resp.LogResult === undefined, 'LogType None: no LogResult');
});

kase('Event', async () => {
  const marker = `event-${randomUUID()}`;
  const resp = await invoke({ Payload: kdaEvent('ev', marker)[0], InvocationType: 'Event' });
  check(resp.StatusCode === 202, 'Event: StatusCode 202', resp.StatusCode);
  check(resp.body === '', 'Event: empty payload', resp.body.slice(0, 200));
  check(!!resp.$metadata.requestId, 'Event: x-amzn-RequestId');
  check(await eventually(() => ran(marker)), 'Event: the function ran afterwards (within 10 s)');
});

kase('DryRun', async () => {
  const marker = `dryrun-${randomUUID()}`;
  const resp = await invoke({ Payload: kdaEvent('dry', marker)[0], InvocationType: 'DryRun' });
  check(resp.StatusCode === 204, 'DryRun: StatusCode 204', resp.StatusCode);
  check(resp.body === '', 'DryRun: empty payload', resp.body.slice(0, 200));
  check(!!resp.$metadata.requestId, 'DryRun: x-amzn-RequestId');
  await flush();
  check(!(await ran(marker)), 'DryRun: the function did not run');
});

kase('empty body', async () => {
  const resp = await invoke({});
  check(resp.StatusCode === 200, 'empty body: StatusCode 200', resp.StatusCode);
  let body;
  try { body = JSON.parse(resp.body); } catch { body = resp.body; }
  if (KIND === 'host') {
    check(resp.FunctionError === undefined, 'empty body: no FunctionError', resp.FunctionError);
    check(JSON.stringify(body) === '{"echo":{}}', 'empty body: the handler receives {}', JSON.stringify(body));
  } else {
    check(resp.FunctionError === 'Unhandled', 'empty body: {} is not a KDA event: FunctionError Unhandled',
      resp.FunctionError);
    check(body?.errorType === 'InvalidEvent', 'empty body: errorType InvalidEvent', JSON.stringify(body));
  }
});

kase('non-JSON body', async () => {
  const e = await expectError('non-JSON body', sdk.InvalidRequestContentException,
    'InvalidRequestContentException', 400, 'message',
    () => invoke({ Payload: enc.encode('this is { not JSON') }));
  if (e) {
    check(e.message.startsWith('Could not parse request body into json'),
      "non-JSON body: message starts 'Could not parse request body into json'", e.message);
  }
});

kase('limits', async () => {
  const [ev, rid] = kdaEventOfSize(LIMIT, `big-${randomUUID()}`);
  okReply(await invoke({ Payload: ev }), rid, 'exactly 6,291,456 bytes');
  const overMarker = `over-${randomUUID()}`;
  const [over] = kdaEventOfSize(LIMIT + 1, overMarker);
  const e = await expectError('6,291,457 bytes', null, 'RequestEntityTooLargeException', 413, null,
    () => invoke({ Payload: over }));
  if (e) check(e.message === TOO_LARGE, "6,291,457 bytes: the service's message", e.message);
  await flush();
  check(!(await ran(overMarker)), '6,291,457 bytes: never reaches the function');
});

kase('unknown function', async () => {
  const name = 'wire-no-such-function';
  const arn = ARN_PREFIX + name;
  const RNF = sdk.ResourceNotFoundException;
  await expectError('unknown function', RNF, 'ResourceNotFoundException', 404, 'Message',
    () => invoke({ FunctionName: name, Payload: enc.encode('{}') }), arn);
  await expectError('unknown function, qualified', RNF, 'ResourceNotFoundException', 404, 'Message',
    () => invoke({ FunctionName: `${name}:live`, Payload: enc.encode('{}') }), `${arn}:live`);
  await expectError('GetFunctionConfiguration, unknown function', RNF, 'ResourceNotFoundException',
    404, 'Message', () => configuration({ FunctionName: name }), arn);
});

kase('bad parameters', async () => {
  const IPV = sdk.InvalidParameterValueException;
  const empty = enc.encode('{}');
  await expectError('name:Q with a different Qualifier', IPV, 'InvalidParameterValueException', 400,
    'message', () => invoke({ FunctionName: `${FUNCTION}:live`, Qualifier: 'other', Payload: empty }));
  await expectError('InvocationType Bogus', IPV, 'InvalidParameterValueException', 400, 'message',
    () => invoke({ InvocationType: 'Bogus', Payload: empty }));
  await expectError('LogType Bogus', IPV, 'InvalidParameterValueException', 400, 'message',
    () => invoke({ LogType: 'Bogus', Payload: empty }));
  await expectError('GetFunction (an operation not served)', null, 'UnknownOperationException', 404,
    null, () => client.send(new GetFunctionCommand({ FunctionName: FUNCTION })));
  await expectError('UpdateFunctionConfiguration (PUT on .../configuration)', null,
    'MethodNotAllowedException', 405, null,
    () => client.send(new UpdateFunctionConfigurationCommand({ FunctionName: FUNCTION, Timeout: 5 })));
});

kase('LogType Tail', async () => {
  const marker = `tail-${randomUUID()}`;
  const [ev, rid] = kdaEvent('tail', marker);
  const resp = await invoke({ Payload: ev, LogType: 'Tail' });
  okReply(resp, rid, 'LogType Tail');
  check(!!resp.LogResult, 'LogType Tail: LogResult present');
  if (!resp.LogResult) return;
  const raw = Buffer.from(resp.LogResult, 'base64');
  const text = raw.toString('utf8');
  for (const p of tailProblems(text, KIND === 'host' ? marker : null)) {
    check(false, `LogType Tail: ${p}`, text.slice(-600));
  }
  check(raw.length <= 4096, 'LogType Tail: at most 4,096 bytes', raw.length);
});

kase('GetFunctionConfiguration', async () => {
  let conf = await configuration({ FunctionName: FUNCTION });
  check(conf.FunctionArn === ARN_PREFIX + FUNCTION, 'GetFunctionConfiguration: FunctionArn', conf.FunctionArn);
  check(conf.Timeout === TIMEOUT, `GetFunctionConfiguration: Timeout ${TIMEOUT}`, conf.Timeout);
  conf = await configuration({ FunctionName: FUNCTION, Qualifier: 'live' });
  check(conf.FunctionArn === `${ARN_PREFIX}${FUNCTION}:live`,
    'GetFunctionConfiguration Qualifier=live: FunctionArn ends :live', conf.FunctionArn);
});

kase('function names', async () => {
  const arn = ARN_PREFIX + FUNCTION;
  const names = [[`${FUNCTION}:live`, `${arn}:live`], [`${ACCOUNT}:function:${FUNCTION}`, arn],
    [`${ACCOUNT}:function:${FUNCTION}:live`, `${arn}:live`], [arn, arn], [`${arn}:live`, `${arn}:live`]];
  for (const [name, want] of names) {
    const [ev, rid] = kdaEvent('names');
    try {
      okReply(await invoke({ FunctionName: name, Payload: ev }), rid, `Invoke ${name}`);
      const conf = await configuration({ FunctionName: name });
      check(conf.FunctionArn === want, `GetFunctionConfiguration ${name}: FunctionArn ${want}`, conf.FunctionArn);
    } catch (e) {
      check(false, `function name ${name} works`, `${e.name}: ${e.message}`);
    }
  }
  const [ev, rid] = kdaEvent('qualifier');
  const resp = await invoke({ Payload: ev, Qualifier: '7' });
  okReply(resp, rid, 'Qualifier=7');
  check(resp.ExecutedVersion === '7', 'Qualifier=7: ExecutedVersion 7', resp.ExecutedVersion);
});

async function throttle() {
  const [ev, rid] = kdaEvent('throttle');
  const e = await expectError('throttle', sdk.TooManyRequestsException, 'TooManyRequestsException',
    429, 'message', () => invoke({ Payload: ev }));
  if (!e) return;
  check(typeof e.Reason === 'string' && e.Reason !== '', 'throttle: Reason filled', e.Reason);
  check(e.retryAfterSeconds !== undefined && e.retryAfterSeconds !== '',
    'throttle: retryAfterSeconds filled', e.retryAfterSeconds);
  check(e.$metadata.attempts === 1, 'throttle: one attempt (maxAttempts 1)', e.$metadata.attempts);
  check((await fakeCount(`inv-${rid}`)) === 1, 'throttle: the fake saw one attempt');
}

async function service() {
  const [ev] = kdaEvent('service');
  await expectError('service error', sdk.ServiceException, 'ServiceException', 500, 'Message',
    () => invoke({ Payload: ev }));
}

const cases = { main: MAIN, throttle: [['throttle', throttle]], service: [['service', service]] }[MODE];
for (const [name, fn] of cases) {
  try {
    await fn();
  } catch (e) {
    check(false, `${name} completes`, `${e.name}: ${e.message}`);
  }
}
client.destroy();
console.log(`# ${LABEL}: ${passed} passed, ${failed} failed`);
process.exit(failed || !passed ? 1 : 0);
