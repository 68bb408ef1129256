// A handler that misbehaves on request, for tests/integration/host-robust.sh
// (under runtime.mjs).  The event says what to do:
//   {do: 'echo', n, ms}     wait ms, answer {n, seq, pid, api} (seq counts invocations
//                           of this runtime: the order they arrived in)
//   {do: 'exit'}            the runtime exits mid-invocation
//   {do: 'sleep', ms}       run past the Timeout
//   {do: 'stray', pidfile, exit}  start a child in a session of its own (setsid)
//                           that keeps stdout open, write its pid, then exit (or not)
//   {do: 'big'}             answer 7,000,000 bytes (over Lambda's 6,291,556)
//   {do: 'line', mib}       write one line of mib MiB to stdout
import {spawn} from 'node:child_process';
import {writeFileSync} from 'node:fs';

let seq = 0;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

export const stress = async (event) => {
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
    case 'line': {
      const chunk = Buffer.alloc(1 << 20, 'y');
      const write = (b) => new Promise((done) => process.stdout.write(b, done));
      for (let i = 0; i < event.mib; i++) await write(chunk);
      await write('\nafter the long line\n');
      return {written: event.mib};
    }
  }
  throw new Error(`unknown action ${event.do}`);
};
