// KDA output handlers for Node.js as users write them (tests/integration/handlers.sh),
// in CommonJS.  `handler` and `poison` are callback-style, which the managed
// Node.js 22 runtime and aws-lambda-ric 3 accept and aws-lambda-ric 4 refuses
// (Runtime.CallbackHandlerDeprecated); `async_handler` runs everywhere.
const ok = (event) => ({
  records: event.records.map((r) => ({recordId: r.recordId, result: 'Ok'})),
});
// The console's output blueprint, callback style: every record Ok.
exports.handler = (event, context, callback) => {
  callback(null, ok(event));
};
// Callback style, a row that is not JSON fails the batch through callback(err).
exports.poison = (event, context, callback) => {
  try {
    for (const r of event.records) JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'));
  } catch (e) {
    callback(e);
    return;
  }
  callback(null, ok(event));
};
// The same blueprint as an async handler.
exports.async_handler = async (event) => ok(event);
