// The SCORM run-time API for one launch of a SCO: the object the player installs as window.API
// (SCORM 1.2) or window.API_1484_11 (2004). It judges every call with the data-model table the
// server validates with (courses/scorm/datamodel.py, table_as_json) and answers as the server's
// session does (courses/scorm/rte.py), so a change accepted here is one the server's replay of
// the commit accepts; tests/test_scorm_runtime_js.py holds both to the same answers.
//
// Where it must differ, the reason is that the API is synchronous and storing is not: Commit
// and Terminate hand the changes to onCommit and answer at once. A store that fails puts its
// changes back in front of the pending ones and is reported once, by the next Commit or
// Terminate ("false", General Commit Failure), which sends them again. Terminate always calls
// onCommit, even with no changes, because the server needs to know the session ended.
(function () {
  "use strict";
  const NOT_INITIALIZED = "not initialized";
  const RUNNING = "running";
  const TERMINATED = "terminated";
  // datamodel_types.ACCESS, for GetDiagnostic (the table does not carry the words).
  const ACCESS = { ro: "read-only", wo: "write-only", rw: "read-write" };
  const API_2004 = ["Initialize", "Terminate", "GetValue", "SetValue", "Commit", "GetLastError",
    "GetErrorString", "GetDiagnostic"];
  // GetValue answers the LMS gives, not the SCO (SCORM 2004 RTE 4.2.4.1 and 4.2.22): a status
  // with a limit set is judged from its measure. 1.2 has none of these elements.
  const EVALUATED = {
    "cmi.completion_status":
      ["cmi.completion_threshold", "cmi.progress_measure", "completed", "incomplete"],
    "cmi.success_status": ["cmi.scaled_passing_score", "cmi.score.scaled", "passed", "failed"],
  };

  const CONTROLS = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

  // Python's repr() of a string, which rte.py quotes names and values with in diagnostics
  // (controls escaped as Python does; other unprintable characters beyond Latin-1 are not).
  function pyRepr(value) {
    if (typeof value !== "string") return String(value);
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value.replace(/[\\'"\x00-\x1f\x7f-\xa0\xad]/g, (char) => {
      if (char === quote || char === "\\") return "\\" + char;
      if (char === '"' || char === "'") return char;
      return CONTROLS[char] || "\\x" + char.charCodeAt(0).toString(16).padStart(2, "0");
    });
    return quote + body + quote;
  }

  function codePoints(text) {
    return [...text].length;
  }

  // The table with its regexes compiled and every pattern's prefixes (datamodel._Model).
  function compile(table) {
    const regexes = new Map();
    const regex = (source) => {
      if (!regexes.has(source)) regexes.set(source, new RegExp(source, table.regex_flags));
      return regexes.get(source);
    };
    const elements = new Map(table.elements.map((row) => [row.pattern, row]));
    const groups = new Set();
    for (const pattern of elements.keys()) {
      const parts = pattern.split(".");
      for (let end = parts.length; end > 0; end -= 1) groups.add(parts.slice(0, end).join("."));
    }
    return { table, elements, groups, regex };
  }

  // The rules of datamodel.py over `values` (a Map in its state format), one function each.
  function dataModel(model, values) {
    const { table, elements, groups, regex } = model;

    function patternOf(name) {
      if (typeof name !== "string") return null;
      const parts = name.replace(regex(table.target), "{target=ID}").split(".");
      if (parts.includes("n")) return null; // the table's placeholder, never a real segment
      return parts.map((part) => (regex(table.index).test(part) ? "n" : part)).join(".");
    }
    const rowOf = (name) => elements.get(patternOf(name));
    const stored = (name) => values.get(name) ?? null;
    const count = (key) => Number(stored(key) || 0);
    const isKeyword = (row) => table.keywords.includes(row.pattern.split(".").pop());

    // [count key, index] for each array `name` goes through, outermost first.
    function arraysOf(row, name) {
      const parts = name.split(".");
      return row.pattern.split(".").flatMap((segment, pos) => (segment !== "n" ? []
        : [[parts.slice(0, pos).join(".") + "._count", Number(parts[pos])]]));
    }

    // `pattern` with its indexes taken from `name`, which shares its leading segments.
    function fill(pattern, name) {
      const parts = name.split(".");
      return pattern.split(".").map((segment, pos) => (segment === "n" ? parts[pos] : segment))
        .join(".");
    }

    function misused(name, setting) {
      if (typeof name !== "string") return "undefined";
      const cut = name.lastIndexOf(".");
      const last = name.slice(cut + 1);
      const head = cut < 0 ? "" : name.slice(0, cut);
      if (!table.keywords.includes(last) || !groups.has(patternOf(head))) return "undefined";
      if (setting) return "keyword";
      return { _children: "no_children", _count: "no_count" }[last] || "undefined";
    }

    function checkValue(vtype, value, range, interactionType) {
      if (typeof value !== "string") return "type";
      const byType = vtype.by_interaction_type;
      if (interactionType !== null && Object.hasOwn(byType, interactionType)) {
        vtype = byType[interactionType];
      }
      if (vtype.vocabulary.includes(value)) return null;
      let text = value;
      if (vtype.localized && value.startsWith("{lang=")) {
        const delimiter = regex(table.lang_delimiter).exec(value);
        if (!delimiter) return "type";
        text = value.slice(delimiter[0].length);
      }
      if (vtype.spm !== null && text.length > vtype.spm && codePoints(text) > vtype.spm) {
        return "too_long";
      }
      if (vtype.regex === null) return vtype.vocabulary.length ? "type" : null;
      if (!regex(vtype.regex).test(text)) return "type";
      if (vtype.numeric && range) {
        const [low, high] = range;
        const number = Number(text);
        if ((low !== null && number < low) || (high !== null && number > high)) return "range";
      }
      return null;
    }

    // Whether another record of the innermost array already holds `value` in this field.
    function duplicate(row, name, value) {
      const [key, index] = arraysOf(row, name).pop();
      const parts = name.split(".");
      const position = key.split(".").length - 1;
      for (let other = 0; other < count(key); other += 1) {
        parts[position] = String(other);
        if (other !== index && stored(parts.join(".")) === value) return true;
      }
      return false;
    }

    // [value, null] or [null, reason] (a key of table.codes).
    function get(name) {
      if (name === "") return [null, "get_failure"];
      const row = rowOf(name);
      if (!row) return [null, misused(name, false)];
      if (row.access === "wo") return [null, "write_only"];
      // _children describes the model, so it answers whether or not the record exists.
      if (!row.pattern.endsWith("._children") &&
          arraysOf(row, name).some(([key, index]) => index >= count(key))) {
        return [null, "get_failure"];
      }
      if (row.pattern.endsWith("._count")) return [String(count(name)), null];
      const value = values.has(name) ? stored(name) : row.default;
      return value === null ? [null, "unset"] : [value, null];
    }

    // [row or null, reason or null]
    function judgeSet(name, value) {
      if (name === "") return [null, "set_failure"];
      const row = rowOf(name);
      if (!row) return [null, misused(name, true)];
      if (isKeyword(row)) return [row, "keyword"];
      if (row.access === "ro") return [row, "read_only"];
      if (arraysOf(row, name).some(([key, index]) => index > count(key))) return [row, "order"];
      if (row.requires.some((required) => stored(fill(required, name)) === null)) {
        return [row, "dependency"];
      }
      const vtype = table.types[row.type];
      const interactionType = Object.keys(vtype.by_interaction_type).length
        ? stored(fill(table.interaction_type, name)) : null;
      let reason = checkValue(vtype, value, row.range, interactionType);
      if (reason === null && row.unique && duplicate(row, name, value)) reason = "duplicate";
      return [row, reason];
    }

    // 0, or the code of the reason a SetValue is refused; an accepted value is stored.
    function applySet(name, value) {
      const [row, reason] = judgeSet(name, value);
      if (reason !== null) return table.codes[reason];
      for (const [key, index] of arraysOf(row, name)) {
        if (index === count(key)) values.set(key, index + 1);
      }
      values.set(name, value);
      return 0;
    }

    // One line on what `name` accepts (datamodel.describe).
    function describe(name) {
      const row = rowOf(name);
      if (!row) return `${pyRepr(name)} is not in the SCORM ${table.version} data model`;
      const vtype = table.types[row.type];
      const details = [vtype.name, ACCESS[row.access]];
      if (vtype.vocabulary.length) details.push("one of " + vtype.vocabulary.map(pyRepr).join("/"));
      if (row.range) {
        const ends = row.range.map((end) => (end === null ? "*" : String(end)));
        details.push(`range ${ends.join("..")}`);
      }
      details.push(...row.requires.map((required) => `needs ${required} first`));
      return `${name} is ${details.join(", ")}`;
    }

    // The standard text of a code given as a number or a string of digits; "" for another.
    function errorString(error) {
      if (typeof error === "string" && /^[0-9]+$/.test(error)) error = Number(error);
      if (!Number.isInteger(error)) return "";
      return Object.hasOwn(table.errors, String(error)) ? table.errors[String(error)] : "";
    }

    return { get, applySet, describe, errorString };
  }

  function setCall(name, value) {
    let shown = pyRepr(value);
    if (codePoints(shown) > 60) {
      shown = `${[...shown].slice(0, 50).join("")}... (${codePoints(String(value))} characters)`;
    }
    return `SetValue(${pyRepr(name)}, ${shown})`;
  }

  function create(options) {
    const { version, table, onCommit } = options;
    if (table.version !== version) throw new Error(`a SCORM ${table.version} table for ${version}`);
    const values = new Map(Object.entries(options.values || {}));
    const rules = dataModel(compile(table), values);
    let status = NOT_INITIALIZED;
    let initializeCalled = false;
    let lastError = 0;
    let diagnostic = "";
    let pending = []; // [name, value] accepted since the last hand-over, in order
    let sending = []; // the changes onCommit is storing now
    let flight = null; // that store, a promise
    let wanted = null; // a store asked for during it: {terminate}
    let failed = false; // the last store failed and no Commit or Terminate has said so yet

    function succeed(result = "true") {
      lastError = 0;
      diagnostic = "";
      return result;
    }
    function fail(error, call, detail = "") {
      lastError = error;
      diagnostic = `${call}: ${rules.errorString(error)}` + (detail ? ` (${detail})` : "");
      return "false";
    }
    const refuse = (reason, call) => fail(table.codes[reason], call);
    const explain = (name) => (typeof name === "string" ? rules.describe(name) : "");

    // The reason a call with a "" parameter may not be made now, if any.
    function misplaced(call, parameter) {
      if (status === NOT_INITIALIZED) return `${call}_before_init`;
      if (status === TERMINATED) return `${call}_after_end`;
      return parameter === "" ? null : "argument";
    }

    function send(terminate) {
      if (flight) {
        wanted = { terminate: terminate || Boolean(wanted && wanted.terminate) };
        return;
      }
      const batch = pending;
      pending = [];
      sending = batch;
      flight = Promise.resolve()
        .then(() => onCommit(batch.map((change) => change.slice()), { terminate }))
        .then((ok) => ok === true, () => false)
        .then((ok) => {
          flight = null;
          sending = [];
          failed = !ok;
          if (!ok) pending = batch.concat(pending);
          const next = wanted;
          wanted = null;
          if (next) send(next.terminate);
        });
    }

    // False when an earlier store failed: this call reports it and sends its changes again.
    function store(terminate) {
      if (failed) {
        failed = false;
        send(false);
        return false;
      }
      if (pending.length || terminate) send(terminate);
      return true;
    }

    function evaluated(name, value) {
      if (!Object.hasOwn(EVALUATED, name)) return value;
      const [limitName, measureName, reached, missed] = EVALUATED[name];
      const limit = values.get(limitName) ?? null;
      const measure = values.get(measureName) ?? null;
      if (limit === null) return value;
      if (measure === null) return "unknown";
      return Number(measure) >= Number(limit) ? reached : missed;
    }

    const session = {
      initialize(parameter = "") {
        initializeCalled = true;
        let reason = { [RUNNING]: "init_twice", [TERMINATED]: "init_after_end" }[status] || null;
        if (reason === null && parameter !== "") reason = "argument";
        if (reason) return refuse(reason, `Initialize(${pyRepr(parameter)})`);
        status = RUNNING;
        return succeed();
      },
      terminate(parameter = "") {
        const reason = misplaced("end", parameter) || (store(true) ? null : "end_failed");
        if (reason) return refuse(reason, `Terminate(${pyRepr(parameter)})`);
        status = TERMINATED;
        return succeed();
      },
      commit(parameter = "") {
        const reason = misplaced("commit", parameter) || (store(false) ? null : "commit_failed");
        if (reason) return refuse(reason, `Commit(${pyRepr(parameter)})`);
        return succeed();
      },
      getValue(name) {
        const call = () => `GetValue(${pyRepr(name)})`;
        const reason = misplaced("get", "");
        if (reason) {
          refuse(reason, call());
          return "";
        }
        const [value, why] = rules.get(name);
        const error = why === null ? 0 : table.codes[why];
        if (error) {
          fail(error, call(), explain(name));
          return "";
        }
        return succeed(value === null ? "" : String(evaluated(name, value)));
      },
      setValue(name, value) {
        // Content often passes numbers (SetValue("cmi.score.raw", 85)); the standard's values are
        // strings, and the string is what the commit carries to the server.
        if (typeof value === "number") value = String(value);
        const reason = misplaced("set", "");
        if (reason) return refuse(reason, setCall(name, value));
        const error = rules.applySet(name, value);
        if (error) return fail(error, setCall(name, value), explain(name));
        pending.push([name, value]);
        return succeed();
      },
      getLastError: () => String(lastError),
      getErrorString: (error = "") => rules.errorString(error),
      // Details of the last error for "" or its code; the standard text for another code.
      getDiagnostic(error = "") {
        if (error === "" || error === String(lastError)) {
          return diagnostic || rules.errorString(lastError);
        }
        return rules.errorString(error);
      },
    };

    const runtime = {
      state: () => status,
      initializeCalled: () => initializeCalled,
      // Every change not yet confirmed stored, in order (being stored now included): what the
      // page's last beacon carries.
      pendingChanges: () => sending.concat(pending).map((change) => change.slice()),
      // Resolves once no store is under way or waiting.
      settled: () => (flight ? flight.then(runtime.settled) : Promise.resolve()),
    };
    const names = version === "2004"
      ? API_2004
      : API_2004.map((name) => (name === "Terminate" ? "LMSFinish" : "LMS" + name));
    API_2004.forEach((name, position) => {
      runtime[names[position]] = session[name.charAt(0).toLowerCase() + name.slice(1)];
    });
    return runtime;
  }

  window.ScormRuntime = { create };
})();
