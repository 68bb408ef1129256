// A handler that misbehaves on request, for tests/integration/host-robust.sh
// (under runtime.mjs).  The event says what to do:
//   {do: 'echo', n, ms}     wait ms, answer {n, seq, pid, api} (seq counts invocations
//                           of this runtime: the order they arrived in)
//   {do: 'exit'}            the runtime exits mid-invocation
//   {do: 'sleep', ms}       run past the Timeout
//   {do: 'stray', pidfile, exit}  start a child in a session of its own (setsid)
//                           that keeps stdout open, write its pid, then exit (or not)
//   {do: 'big'}             answer 7,000,000 bytes (over Lambda's 6,291,556)
//   {do: 'bigchunked'}      post 7 MiB chunked (no Content-Length) as its own result,
//                           print the status it got, then answer (too late)
//   {do: 'line', mib}       write one line of mib MiB to stdout
//   {do: 'spam', lines, bytes}  write `lines` numbered lines of `bytes` bytes to stdout
import {spawn} from 'node:child_process';
import {writeFileSync} from 'node:fs';

let seq = 0;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

export const stress = async (event, context) => {
  seq++;
  switch (event.do) {
    case 'echo':
      await sleep(event.ms || 0);
      return {n: event.n, seq, pid: process.pid, api: process.env.AWS_LAMBDA_RUNTIME_API};
    case 'exit':
      process.exit(3);
      break;
    case 'sleep':
      await sleep(event.ms);
      return {slept: true};
    case 'stray': {
      const child = spawn('sleep', ['300'], {detached: true, stdio: ['ignore', 'inherit', 'inherit']});
      writeFileSync(event.pidfile, String(child.pid));
      child.unref();
      if (event.exit) process.exit(4);
      return {stray: child.pid};
    }
    case 'big':
      return 'x'.repeat(7000000);
    case 'bigchunked': {
      const chunk = new Uint8Array(1 << 20).fill(0x20);
      let sent = 0;
      const body = new ReadableStream({
        pull(c) { if (sent++ < 7) c.enqueue(chunk); else c.close(); },
      });
      const url = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/` +
        `${context.awsRequestId}/response`;
      const res = await fetch(url, {method: 'POST', body, duplex: 'half'});
      console.log(`bigchunked: the Runtime API answered ${res.status}`);
      return {late: true};
    }
    case 'line': {
      const chunk = Buffer.alloc(1 << 20, 'y');
      const write = (b) => new Promise((done) => process.stdout.write(b, done));
      for (let i = 0; i < event.mib; i++) await write(chunk);
      await write('\nafter the long line\n');
      return {written: event.mib};
    }
    case 'spam': {
      const pad = 'p'.repeat(event.bytes);
      const write = (b) => new Promise((done) => process.stdout.write(b, done));
      for (let i = 0; i < event.lines; i++) await write(`spam ${i} ${pad}\n`);
      return {spammed: event.lines};
    }
  }
  throw new Error(`unknown action ${event.do}`);
};
