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
// poison_until_fixed: throws on a POISON row until the file $KDAOUT_FIX_FILE
// exists -- the fix is deployed when the test creates it.
import {existsSync} from 'node:fs';
export const poison_until_fixed = async (event) => {
  const fixed = existsSync(process.env.KDAOUT_FIX_FILE || '/nonexistent');
  return {
    records: event.records.map((r) => {
      if (!fixed && Buffer.from(r.data, 'base64').toString('utf8').startsWith('POISON'))
        throw new Error('cannot handle a POISON row');
      return {recordId: r.recordId, result: 'Ok'};
    }),
  };
};
