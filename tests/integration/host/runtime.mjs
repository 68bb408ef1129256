// A minimal Lambda runtime (the Runtime API loop, as AWS's clients run it) for
// testing `kdaout host` without npm: node runtime.mjs, with _HANDLER=file.export
// resolved in LAMBDA_TASK_ROOT.  AWS's own client (aws-lambda-ric) is the
// next step; see ../ric/NOTES.md.
const api = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const [file, name] = process.env._HANDLER.split('.');
let handler;
try {
  handler = (await import(`${process.env.LAMBDA_TASK_ROOT}/${file}.mjs`))[name];
  if (typeof handler !== 'function') throw new Error(`no export ${name} in ${file}.mjs`);
} catch (e) {
  await fetch(`${api}/init/error`, {
    method: 'POST',
    headers: {'Lambda-Runtime-Function-Error-Type': 'Runtime.ImportModuleError'},
    body: JSON.stringify({errorType: 'Runtime.ImportModuleError', errorMessage: String(e)}),
  });
  process.exit(1);
}
for (;;) {
  const next = await fetch(`${api}/invocation/next`);
  const id = next.headers.get('lambda-runtime-aws-request-id');
  const event = await next.json();
  try {
    const result = await handler(event, {awsRequestId: id});
    await fetch(`${api}/invocation/${id}/response`, {method: 'POST', body: JSON.stringify(result)});
  } catch (e) {
    await fetch(`${api}/invocation/${id}/error`, {
      method: 'POST',
      body: JSON.stringify({errorType: e.name, errorMessage: e.message, trace: []}),
    });
  }
}
