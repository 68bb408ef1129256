// Baseline for fake_vs_node.sh: the smallest useful Node.js HTTP server.
// Reads each POST body to the end, then answers a fixed KDA reply.
// Prints `listening on http://HOST:PORT` first, like `kdaout fake-lambda`.
//   node node_server.mjs [PORT]      (binds 127.0.0.1; default port 0 = any free port)
import http from 'node:http';

const REPLY = Buffer.from('{"records":[{"recordId":"1","result":"Ok"}]}');
const port = Number(process.argv[2] ?? 0);

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405, { 'Content-Length': 0 });
    res.end();
    return;
  }
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': REPLY.length });
    res.end(REPLY);
  });
});
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => {
  const { address, port: p } = server.address();
  process.stdout.write(`listening on http://${address}:${p}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
