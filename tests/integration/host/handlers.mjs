// Handlers for the `kdaout host` tests.
// ok: the console's KDA output blueprint -- every record Ok.
export const ok = async (event) => ({
  records: event.records.map((r) => ({recordId: r.recordId, result: 'Ok'})),
});
// poison: parses every row as JSON and lets a bad row throw (the poison pill).
export const poison = async (event) => ({
  records: event.records.map((r) => {
    JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'));
    return {recordId: r.recordId, result: 'Ok'};
  }),
});
// noids: answers without record IDs.
export const noids = async (event) => ({records: event.records.map(() => ({result: 'Ok'}))});
// slow: takes longer than any Timeout the tests give it.
export const slow = async () => new Promise((done) => setTimeout(done, 60000));
