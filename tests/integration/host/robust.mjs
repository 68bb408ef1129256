// kdaout host under load and against misbehaving runtimes (issue #10), from
// the outside: real sockets on 127.0.0.1, the runtime.mjs loop with the
// stress.mjs handler.  Every wait is bounded, so a host that hangs fails
// here instead of hanging the suite.  Usage: node robust.mjs KDAOUT TMPDIR
import {spawn} from 'node:child_process';
import {readFileSync, existsSync} from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const [kdaout, tmp] = process.argv.slice(2);
const dir = new URL('.', import.meta.url).pathname;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
let passed = 0, failed = 0;
const check = (cond, what, detail = '') => {
  if (cond) passed++, console.log(`ok - ${what}`);
  else failed++, console.log(`not ok - ${what}${detail ? `: ${detail}` : ''}`);
  return cond;
};
const hosts = [];
const INVOKE = '/2015-03-31/functions/kdaout-hosted/invocations';

// ---- a host ----------------------------------------------------------------------------
let nhost = 0;
// {stderrPipe}: stderr is a pipe the test reads only when it wants to (h.err);
// {runtime}: the runtime command instead of node runtime.mjs.
async function startHost(timeout, opts = {}) {
  const log = `${tmp}/robust.${++nhost}.err`;
  const {openSync} = await import('node:fs');
  const proc = spawn(kdaout, ['host', '--timeout', String(timeout), '--handler', 'stress.stress',
    '--', ...(opts.runtime || ['node', `${dir}/runtime.mjs`])], {
    stdio: ['ignore', 'pipe', opts.stderrPipe ? 'pipe' : openSync(log, 'w')],
    env: {...process.env, LAMBDA_TASK_ROOT: dir},
  });
  const h = {proc, log: opts.stderrPipe ? '/dev/null' : log, exited: false, err: ''};
  hosts.push(h);
  proc.on('exit', (code, signal) => { h.exited = true; h.status = signal || code; });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  for (let i = 0; i < 200 && !/listening on http:\/\/127\.0\.0\.1:(\d+)/.test(out); i++) await sleep(25);
  const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
  if (!m) throw new Error(`kdaout host did not start: ${readFileSync(log, 'utf8')}`);
  h.port = +m[1];
  return h;
}

// SIGTERM, and the host gone within `bound` ms with exit status 0 (a
// sanitizer's report would make it non-zero); SIGKILL after, as a failure.
async function stopHost(h, bound = 5000) {
  if (!h.exited) h.proc.kill('SIGTERM');
  for (let t = 0; t < bound && !h.exited; t += 50) await sleep(50);
  if (!h.exited) h.proc.kill('SIGKILL');
  if (h.exited && h.status !== 0) console.log(`# host exit status ${h.status}:\n${readFileSync(h.log, 'utf8').slice(-3000)}`);
  return h.exited && h.status === 0;
}

function hwmKiB(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? +m[1] : -1;
}
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

// ---- HTTP -------------------------------------------------------------------------------
// One invocation on a fresh connection: {status, fnError, body, json, ms} or {error}.
function invoke(port, event, timeoutMs = 20000) {
  return new Promise((done) => {
    const t0 = Date.now();
    const body = JSON.stringify(event);
    const rq = http.request({host: '127.0.0.1', port, path: INVOKE, method: 'POST', agent: false,
      headers: {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)},
      timeout: timeoutMs}, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(data); } catch {}
        done({status: res.statusCode, fnError: res.headers['x-amz-function-error'], body: data,
          json, ms: Date.now() - t0});
      });
    });
    rq.on('timeout', () => rq.destroy(new Error('no answer in time')));
    rq.on('error', (e) => done({error: e.message, ms: Date.now() - t0}));
    rq.end(body);
  });
}
const show = (r) => (r.error ? `error ${r.error}` : `${r.status} ${r.body.slice(0, 200)}`);

// Raw bytes on a fresh connection; resolves with the status line of the
// answer, or '' if the connection closed or `waitMs` passed without one.
function raw(port, bytes, waitMs = 5000) {
  return new Promise((done) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
    let data = '';
    const finish = () => { clearTimeout(timer); s.destroy(); done(data.split('\r\n')[0]); };
    const timer = setTimeout(finish, waitMs);
    s.on('data', (d) => { data += d; if (data.includes('\r\n')) finish(); });
    s.on('error', () => {});
    s.on('close', finish);
  });
}

// A connection that is opened and then left alone (or dribbled a byte a
// second); `closed` resolves with the time the server closed it.
function lingering(port, dribble) {
  const c = {t0: Date.now(), closedAt: 0};
  const s = net.connect(port, '127.0.0.1');
  c.sock = s;
  let i = 0, timer = null;
  s.on('connect', () => {
    if (!dribble) return;
    s.write(dribble.head);
    timer = setInterval(() => s.write(dribble.drip[i++ % dribble.drip.length]), 1000);
  });
  s.on('error', () => {});
  c.closed = new Promise((done) => s.on('close', () => {
    clearInterval(timer);
    c.closedAt = Date.now();
    done();
  }));
  return c;
}

// ---- the checks ------------------------------------------------------------------------------
async function framing(port, where, path) {
  const post = (headers, body = '') => raw(port, `POST ${path} HTTP/1.1\r\nHost: x\r\n${headers}\r\n${body}`);
  let line = await post('Content-Length: 2\r\nContent-Length: 3\r\n', '{}x');
  check(/ 400 /.test(line), `${where}: two different Content-Lengths are refused (400)`, line);
  line = await post('Content-Length: 2\r\nTransfer-Encoding: chunked\r\n', '2\r\n{}\r\n0\r\n\r\n');
  check(/ 400 /.test(line), `${where}: Content-Length with chunked is refused (400)`, line);
  line = await post('Transfer-Encoding: gzip\r\n', '{}');
  check(/ 400 /.test(line), `${where}: a coding that does not end with chunked is refused (400)`, line);
  line = await post('Transfer-Encoding: gzip, chunked\r\n', '2\r\n{}\r\n0\r\n\r\n');
  check(/ 501 /.test(line), `${where}: an unknown coding before chunked is refused (501)`, line);
  // Headers only: the 413 must come without the body.
  line = await post('Content-Length: 1073741824\r\n');
  check(/ 413 /.test(line), `${where}: a Content-Length over the limit gets 413 before the body`, line);
  line = await post('Content-Length: 7000000\r\nExpect: 100-continue\r\n');
  check(/ 413 /.test(line), `${where}: ... and with Expect: 100-continue, 413 instead of 100`, line);
}

async function chunked7mb(port) {
  return new Promise((done) => {
    const s = net.connect(port, '127.0.0.1', async () => {
      s.write(`POST ${INVOKE} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`);
      const chunk = Buffer.alloc(1 << 20, 'z');
      for (let i = 0; i < 7 && !s.destroyed; i++)
        s.write(`${chunk.length.toString(16)}\r\n`), s.write(chunk), s.write('\r\n');
      s.write('0\r\n\r\n');
    });
    let data = '';
    s.on('data', (d) => { data += d; if (data.includes('\r\n')) { s.destroy(); done(data.split('\r\n')[0]); } });
    s.on('error', () => {});
    s.on('close', () => done(data.split('\r\n')[0]));
    setTimeout(() => { s.destroy(); done(''); }, 10000);
  });
}

async function hostA() {
  const h = await startHost(10);
  const {port} = h;
  // The Runtime API is not the callers' to use.
  let line = await raw(port, 'GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n', 3000);
  check(/ 404 /.test(line), 'the Runtime API is not served on the Invoke API port', line || 'no answer');
  await framing(port, 'Invoke API', INVOKE);
  line = await chunked7mb(port);
  check(/ 413 /.test(line), 'Invoke API: a 7 MB chunked body gets 413', line);
  let r = await invoke(port, {do: 'echo', n: 0});
  const api = r.json && r.json.api;
  if (check(r.status === 200 && api, 'an invocation works', show(r))) {
    const rport = +api.split(':')[1];
    await framing(rport, 'Runtime API', '/2018-06-01/runtime/not-a-path'); // else a 404
  }

  // Concurrent invocations while the runtime is down: each answered, in order.
  r = await invoke(port, {do: 'exit'});
  check(r.json && r.json.errorType === 'Runtime.ExitError', 'a runtime that exits: Runtime.ExitError', show(r));
  const N = 8, pending = [];
  for (let i = 1; i <= N; i++) {
    pending.push(invoke(port, {do: 'echo', n: i, ms: 200}, 30000));
    await sleep(100);
  }
  const all = await Promise.all(pending);
  const seqs = all.map((x, i) => (x.json && x.json.n === i + 1 ? x.json.seq : -1));
  check(all.every((x) => x.status === 200 && !x.fnError) && seqs.every((s, i) => s > 0 && (i === 0 || s > seqs[i - 1])),
    `${N} concurrent invocations are each answered, in the order they arrived`,
    all.map(show).join(' | '));

  // A burst while the runtime is down: several callers used to join the same
  // runtime thread at once (undefined behaviour: a deadlock, SIGTERM ignored).
  const rounds = +(process.env.ROBUST_BURSTS || 5), callers = [...Array(16).keys()];
  let round = 0, burst = [];
  for (; round < rounds; round++) {
    r = await invoke(port, {do: 'exit'});
    burst = await Promise.all(callers.map((n) => invoke(port, {do: 'echo', n}, 15000)));
    if (!(r.json && r.json.errorType === 'Runtime.ExitError' &&
          burst.every((x, i) => x.status === 200 && !x.fnError && x.json.n === i)))
      break;
  }
  check(round === rounds, `${rounds} bursts of ${callers.length} invocations, each right after the runtime exited, are answered`,
    `round ${round + 1}: ${show(r)} | ${burst.map(show).join(' | ')}`);

  // A result over the limit: the function error at once, not a timeout.
  r = await invoke(port, {do: 'big'});
  check(r.fnError === 'Unhandled' && r.json && r.json.errorType === 'Function.ResponseSizeTooLarge',
    'a result over 6,291,556 bytes: Function.ResponseSizeTooLarge', show(r));
  r = await invoke(port, {do: 'bigchunked'});
  for (let t = 0; t < 3000 && !/bigchunked: the Runtime API answered/.test(readFileSync(h.log, 'utf8')); t += 50) await sleep(50);
  const answered = /bigchunked: the Runtime API answered (\d+)/.exec(readFileSync(h.log, 'utf8'));
  check(r.fnError === 'Unhandled' && r.json && r.json.errorType === 'Function.ResponseSizeTooLarge' &&
    answered && answered[1] === '413',
    '... and one posted chunked, without a Content-Length: the same, and 413 to the runtime',
    `${show(r)}; runtime got ${answered ? answered[1] : 'nothing'}`);
  r = await invoke(port, {do: 'echo', n: 1});
  check(r.status === 200 && !r.fnError, '... and the next invocation works', show(r));

  // One line of 1 GiB: the host's memory does not grow with it.
  const before = hwmKiB(h.proc.pid);
  r = await invoke(port, {do: 'line', mib: 1024}, 60000);
  const after = hwmKiB(h.proc.pid);
  const log = readFileSync(h.log, 'utf8');
  console.log(`# 1 GiB line: host VmHWM ${before} -> ${after} kB, its log ${log.length} bytes, ${r.ms} ms`);
  check(r.status === 200 && !r.fnError && after - before < 64 * 1024 && /line cut/.test(log) &&
    /after the long line/.test(log),
    'a 1 GiB line of output is cut, and the host\'s peak memory grows by less than 64 MiB',
    `${show(r)}; VmHWM ${before} -> ${after} kB; log ${log.length} bytes`);

  // 100 idle callers, a slowloris in the headers and one in the body: the
  // runtime still gets its `next` (a fresh runtime, after an exit), callers
  // still get answers, and the server closes the lot after its deadline.
  const idle = [];
  for (let i = 0; i < 100; i++) idle.push(lingering(port));
  const slowHead = lingering(port, {head: `POST ${INVOKE} HTTP/1.1\r\nHost: x\r\n`, drip: ['X', '-', 'Y', ': ', 'z']});
  const slowBody = lingering(port, {head: `POST ${INVOKE} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n`, drip: [' ']});
  await sleep(1500);
  r = await invoke(port, {do: 'exit'});
  const r2 = await invoke(port, {do: 'echo', n: 2});
  check(r.json && r.json.errorType === 'Runtime.ExitError' && r2.status === 200 && r2.json && r2.json.n === 2,
    'with 100 idle callers and two slowloris connections open, a fresh runtime gets its next and callers their answers',
    `${show(r)} | ${show(r2)}`);
  const bound = 25000;
  await Promise.race([Promise.all([...idle, slowHead, slowBody].map((c) => c.closed)), sleep(bound)]);
  const open = idle.filter((c) => !c.closedAt).length;
  check(open === 0 && slowHead.closedAt && slowBody.closedAt,
    'idle and slowloris connections are closed by the host after its deadline',
    `${open} idle open; slow headers ${slowHead.closedAt ? 'closed' : 'open'}, slow body ${slowBody.closedAt ? 'closed' : 'open'} after ${bound} ms`);
  for (const c of [...idle, slowHead, slowBody]) c.sock.destroy();
  r = await invoke(port, {do: 'echo', n: 3});
  check(r.status === 200, '... and the host still answers', show(r));

  // Queued invocations and SIGTERM: the host stops within a bound.
  const queued = [];
  for (let i = 0; i < 4; i++) queued.push(invoke(port, {do: 'sleep', ms: 8000}, 30000));
  await sleep(500);
  check(await stopHost(h), 'SIGTERM stops the host within 5 s, with invocations running and queued');
  await Promise.all(queued);
}

async function hostB() {
  const h = await startHost(1);
  let ok = 0;
  const seen = [];
  for (let i = 0; i < 3; i++) {
    const t = await invoke(h.port, {do: 'sleep', ms: 5000});
    const r = await invoke(h.port, {do: 'echo', n: i});
    seen.push(`${t.json && t.json.errorType} then ${show(r)}`);
    if (t.json && t.json.errorType === 'Sandbox.Timedout' && r.status === 200 && !r.fnError && r.json.n === i) ok++;
  }
  check(ok === 3, 'the invocation right after a timeout is served by the fresh runtime (3 times)', seen.join(' | '));
  check(await stopHost(h), 'SIGTERM stops the host (after timeouts)');
}

async function hostC() {
  const h = await startHost(10);
  const pidfile = `${tmp}/stray.pid`, pidfile2 = `${tmp}/stray2.pid`;
  let r = await invoke(h.port, {do: 'stray', pidfile, exit: true}, 30000);
  check(r.json && r.json.errorType === 'Runtime.ExitError' && r.ms < 10000,
    'a runtime that exits leaving a setsid child on its stdout: Runtime.ExitError before the Timeout', `${show(r)} in ${r.ms} ms`);
  const stray = existsSync(pidfile) ? +readFileSync(pidfile, 'utf8') : 0;
  for (let t = 0; t < 3000 && stray && alive(stray); t += 50) await sleep(50);
  check(stray && !alive(stray), '... and the stray child is killed', `pid ${stray}`);
  r = await invoke(h.port, {do: 'echo', n: 1});
  check(r.status === 200 && !r.fnError, '... and the next invocation works', show(r));
  r = await invoke(h.port, {do: 'stray', pidfile: pidfile2, exit: false});
  const stray2 = existsSync(pidfile2) ? +readFileSync(pidfile2, 'utf8') : 0;
  check(r.status === 200 && !r.fnError && stray2 && alive(stray2), 'a runtime that leaves a setsid child running', show(r));
  check(await stopHost(h), 'SIGTERM stops the host with a stray child holding its output');
  for (let t = 0; t < 2000 && stray2 && alive(stray2); t += 50) await sleep(50);
  check(stray2 && !alive(stray2), '... and kills the stray child', `pid ${stray2}`);
  for (const p of [stray, stray2]) if (p && alive(p)) process.kill(p, 'SIGKILL');
}

// A log nobody reads (stderr a pipe left full): the host must neither stop
// serving nor hang at SIGTERM.  It used to write the log under its locks.
async function hostD() {
  const h = await startHost(2, {stderrPipe: true});
  h.proc.stderr.pause(); // Node reads up to its high-water mark, then the pipe fills
  // 3,000 lines of 1 KB: more than the pipe, Node's buffer and the host's queue hold.
  let r = await invoke(h.port, {do: 'spam', lines: 3000, bytes: 1000}, 30000);
  check(r.status === 200 && !r.fnError && r.json && r.json.spammed === 3000,
    'with its log unread, a runtime that writes 3 MB of output is answered', show(r));
  r = await invoke(h.port, {do: 'sleep', ms: 5000}, 30000);
  check(r.json && r.json.errorType === 'Sandbox.Timedout', '... and one past its Timeout gets Sandbox.Timedout', show(r));
  r = await invoke(h.port, {do: 'echo', n: 7}, 30000);
  check(r.status === 200 && r.json && r.json.n === 7, '... and the next invocation works', show(r));
  h.proc.stderr.setEncoding('utf8');
  h.proc.stderr.on('data', (d) => { h.err += d; });
  h.proc.stderr.resume();
  for (let t = 0; t < 5000 && !/lines of the log were dropped/.test(h.err); t += 50) await sleep(50);
  const nums = [...h.err.matchAll(/\[runtime\] spam (\d+) /g)].map((m) => +m[1]);
  check(/\[host\] \d+ lines of the log were dropped/.test(h.err) && nums.length > 0 &&
    nums.every((n, i) => i === 0 || n > nums[i - 1]),
    '... the lines it could not write are counted as dropped, and the rest keep their order',
    `${nums.length} spam lines, ${h.err.slice(-300)}`);
  h.proc.stderr.pause();
  const r2 = invoke(h.port, {do: 'spam', lines: 3000, bytes: 1000}, 30000);
  await sleep(1500);
  check(await stopHost(h), 'SIGTERM stops the host with its log unread and the runtime writing');
  await r2;
}

// A runtime command that cannot be run: the reason in the log (written by the
// child between fork and exec), and Runtime.ExitError to the caller.
async function hostE() {
  const h = await startHost(2, {runtime: [`${tmp}/no-such-runtime`]});
  const r = await invoke(h.port, {do: 'echo', n: 1});
  check(r.fnError === 'Unhandled' && r.json && r.json.errorType === 'Runtime.ExitError' &&
    /exit status 127/.test(r.json.errorMessage), 'a runtime command that does not exist: Runtime.ExitError (127)', show(r));
  let log = '';
  for (let t = 0; t < 3000 && !/cannot run/.test(log); t += 50) await sleep(50), log = readFileSync(h.log, 'utf8');
  check(/\[runtime\] cannot run \S*no-such-runtime: No such file or directory/.test(log),
    '... and the log says why', log.slice(-300));
  check(await stopHost(h), 'SIGTERM stops the host (runtime cannot run)');
}

try {
  const only = process.env.ROBUST_ONLY || 'ABCDE'; // to run one host's checks by hand
  await Promise.all([['A', hostA], ['B', hostB], ['C', hostC], ['D', hostD], ['E', hostE]].filter(([k]) => only.includes(k)).map(([, f]) => f()));
} catch (e) {
  check(false, 'the test ran to the end', e.stack);
} finally {
  for (const h of hosts) if (!h.exited) h.proc.kill('SIGKILL');
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
