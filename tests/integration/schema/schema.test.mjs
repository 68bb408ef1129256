// The JSON Schema of the scenario format (`kdaout schema`) against a real
// validator: ajv (draft 2020-12, strict mode, allErrors) on documents parsed
// by the `yaml` package, as an editor's YAML language server would.
//
//   KDAOUT=/path/to/kdaout node --test schema.test.mjs     (runs `kdaout schema`)
//   KDO_SCHEMA=/path/to/schema.json node --test ...         (reads a file instead)
//
// Every bundled scenario (scenarios/**/*.yaml) must be valid.  Every file of
// tests/data/scenario-malformed/ must be invalid, unless its header says
//   # schema: loader-only (...)   -- a relation JSON Schema cannot state
//   # schema: yaml (...)          -- not a YAML document the schema can see
// in which case the schema check is skipped (the loader still refuses it:
// tests/integration/malformed.sh).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import YAML from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");

function loadSchema() {
  if (process.env.KDO_SCHEMA)
    return fs.readFileSync(process.env.KDO_SCHEMA, "utf8");
  if (process.env.KDAOUT)
    return execFileSync(process.env.KDAOUT, ["schema"], { encoding: "utf8", maxBuffer: 1 << 22 });
  throw new Error("set KDAOUT (the kdaout binary) or KDO_SCHEMA (a schema file)");
}

const schemaText = loadSchema();
const schema = JSON.parse(schemaText);
const ajv = new Ajv2020({ strict: true, allErrors: true });
const validate = ajv.compile(schema);

function yamlFiles(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

function explain(errors) {
  return (errors || []).map((e) => `  ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`).join("\n");
}

test("the schema declares draft 2020-12 and compiles in strict mode", () => {
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  assert.ok(schema.$id && schema.title);
});

const bundled = yamlFiles(path.join(root, "scenarios"));
test("there are bundled scenarios to check", () => assert.ok(bundled.length >= 10, `${bundled.length}`));
for (const f of bundled) {
  const rel = path.relative(root, f);
  test(`valid: ${rel}`, () => {
    const doc = YAML.parse(fs.readFileSync(f, "utf8"));
    assert.ok(validate(doc), `${rel} does not match the schema:\n${explain(validate.errors)}`);
  });
}

const malformedDir = path.join(root, "tests/data/scenario-malformed");
const malformed = yamlFiles(malformedDir);
test("there is a malformed corpus", () => assert.ok(malformed.length >= 20, `${malformed.length}`));
for (const f of malformed) {
  const rel = path.relative(root, f);
  const text = fs.readFileSync(f, "utf8");
  const mark = /^# schema: (loader-only|yaml)\b/m.exec(text);
  test(`invalid: ${rel}`, { skip: mark ? `schema: ${mark[1]}` : false }, () => {
    const doc = YAML.parse(text);
    assert.equal(validate(doc), false, `${rel} should not match the schema`);
  });
}

// Cases too big to commit, generated here as malformed.sh generates them.
test("invalid: a row over 512 KB", () => {
  const doc = { application: { input: [{ row: "x".repeat(512 * 1024 + 1), at: "1s" }] } };
  assert.equal(validate(doc), false);
  doc.application.input[0].row = "x".repeat(512 * 1024);
  assert.ok(validate(doc), explain(validate.errors));
});

// A few value forms, both ways, where the schema's patterns must agree with units.c.
const forms = [
  [{ duration: "250ms" }, true], [{ duration: "1.5s" }, true], [{ duration: "2m" }, true],
  [{ duration: "1h" }, true], [{ duration: 60 }, true], [{ duration: "60 s" }, true],
  [{ duration: "60 sec" }, false], [{ duration: "-5s" }, false], [{ duration: "" }, false],
  [{ application: { row_size: "100B" } }, true], [{ application: { row_size: "6 MBs" } }, false],
  [{ application: { input: [{ rate: "1000/s" }] } }, true],
  [{ application: { input: [{ rate: "60/min" }] } }, true],
  [{ application: { input: [{ rate: 50 }] } }, true],
  [{ application: { input: [{ rate: "1000 rows" }] } }, false],
  [{ lambda: { rules: [{ match: { probability: "25%" }, action: "throttle" }] } }, true],
  [{ lambda: { rules: [{ match: { probability: 0.25 }, action: "throttle" }] } }, true],
  [{ lambda: { rules: [{ match: { probability: "100%" }, action: "throttle" }] } }, true],
  [{ lambda: { rules: [{ match: { probability: "101%" }, action: "throttle" }] } }, false],
  [{ lambda: { rules: [{ match: { attempt: { min: 1, max: 3 } }, action: "omit" }] } }, true],
  [{ lambda: { timeout: "3s" } }, true], [{ lambda: { timeout: 900 } }, true],
  [{ lambda: { timeout: "901s" } }, false], [{ lambda: { timeout: "15m" } }, true],
  [{ lambda: { endpoint: "http://127.0.0.1:3001", function: "my-fn", sign: true } }, true],
  [{ delivery: { max_event_bytes: "6MB" } }, true], [{ delivery: { max_event_bytes: "6.5MB" } }, false],
  [{ expect: { "metric:Bytes:Input:Sum": { min: 1 } } }, true],
  [{ expect: { "metric:Success:Median": 1 } }, false],
  [{ expect: { invocations: { min: 1, during: { from: "10s", until: "20s" } } } }, true],
  [{ expect: { rows_delivered: { min: 1, during: { from: "10s" } } } }, false],
  [{ expect: { invocations: { during: { from: "10s" } } } }, false],
  [{ expect: [{ invocations: 1 }, { invocations: { eq: 0, during: { from: "5s" } } }] }, true],
  [{ expect: [{ invocations: 1, lost: 0 }] }, false],
  [{ expect: [{}] }, false],
  [{ timeline: [{ at: "10s", fix: true }, { from: "20s", until: "30s", fault: "throttle" }] }, true],
  [{ timeline: [{ at: "10s", fault: "throttle" }] }, false],
];
for (const [doc, ok] of forms) {
  test(`${ok ? "valid" : "invalid"}: ${JSON.stringify(doc)}`, () => {
    assert.equal(validate(doc), ok, explain(validate.errors));
  });
}
