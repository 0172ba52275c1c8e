// Drives courses/static/scorm_runtime.js for tests/test_scorm_runtime_js.py, which runs the same
// scenarios through courses/scorm/rte.py and compares the answers.
//
//   node scorm_runtime_harness.mjs TABLES.json < SCENARIOS.json
//
// TABLES.json is {"1.2": table_as_json("1.2"), "2004": ...}. Each scenario is {version, values,
// stores, steps}; a step is an API call by its name with its arguments (["SetValue", name,
// value]), or one of: ["release"] (the oldest commit held by onCommit answers with the next of
// `stores`, true when they run out), ["settle"] (release until no commit is under way),
// ["pending"], ["state"], ["initialized"]. Prints, per scenario, {observations, commits}: for a
// call [answer, GetLastError, GetDiagnostic("")], for the others what they return (null for
// release and settle); commits are what onCommit received, [changes, terminate], in order.
import { readFileSync } from "node:fs";
import vm from "node:vm";

const source = readFileSync(
  new URL("../../courses/static/scorm_runtime.js", import.meta.url), "utf8");
const tables = JSON.parse(readFileSync(process.argv[2], "utf8"));
const scenarios = JSON.parse(readFileSync(0, "utf8"));

const sandbox = {};
sandbox.window = sandbox; // the runtime defines window.ScormRuntime
vm.createContext(sandbox);
vm.runInContext(source, sandbox, { filename: "scorm_runtime.js" });

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function run(scenario) {
  const answers = [...(scenario.stores || [])];
  const held = [];
  const commits = [];
  const runtime = sandbox.ScormRuntime.create({
    version: scenario.version,
    table: tables[scenario.version],
    values: scenario.values || {},
    onCommit(changes, { terminate }) {
      commits.push([changes, terminate]);
      return new Promise((resolve, reject) => held.push({ resolve, reject }));
    },
  });
  const prefix = scenario.version === "2004" ? "" : "LMS";
  async function release() {
    await turn(); // the runtime calls onCommit in a microtask
    const answer = answers.length ? answers.shift() : true;
    const commit = held.shift();
    if (answer === "reject") commit.reject(new Error("offline"));
    else commit.resolve(answer);
    await turn();
  }
  const observations = [];
  for (const [step, ...args] of scenario.steps) {
    if (step === "release") {
      await release();
      observations.push(null);
    } else if (step === "settle") {
      await turn();
      while (held.length) await release();
      await runtime.settled();
      observations.push(null);
    } else if (step === "pending") {
      observations.push(runtime.pendingChanges());
    } else if (step === "state") {
      observations.push(runtime.state());
    } else if (step === "initialized") {
      observations.push(runtime.initializeCalled());
    } else if (typeof runtime[step] !== "function") {
      observations.push(["no such function", step]);
    } else {
      const answer = runtime[step](...args);
      observations.push([
        answer, runtime[`${prefix}GetLastError`](), runtime[`${prefix}GetDiagnostic`](""),
      ]);
    }
  }
  return { observations, commits };
}

const results = [];
for (const scenario of scenarios) results.push(await run(scenario));
process.stdout.write(JSON.stringify(results));
