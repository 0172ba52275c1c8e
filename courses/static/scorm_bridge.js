// The launcher's half of the postMessage bridge (courses/launcher.html, on COURSE_CONTENT_ORIGIN).
// The player (scorm_player.js, on the portal's origin) frames this page; the SCO runs in the
// frame below it and finds the runtime (scorm_runtime.js) here as window.API (1.2) or
// window.API_1484_11 (2004), in its parent as usual. SCORM calls are synchronous, so the data
// model lives here; only what the player needs crosses, every message to the portal's origin:
//
//   launcher -> player   {type: "ready"}                         once loaded
//   player -> launcher   {type: "launch", version, table, values, launch}   (launch: the SCO's
//                        URL on this origin, with the content token)
//   launcher -> player   {type: "initialized"} / {type: "terminated"}   the session's state
//                        {type: "pending", changes}              what is not confirmed stored,
//                                                                after every call that changes it
//                        {type: "commit", id, changes, terminate}   the runtime's onCommit
//   player -> launcher   {type: "committed", id, ok}             that store's outcome
//   player -> launcher   {type: "close", suspend}                unload the SCO (its unload
//                                                                handler may still Terminate)
//   launcher -> player   {type: "closed"}                        after that, in order
//
// When the page goes away with the SCO still loaded and no "close" asked (the tab closed: a
// close leaves the storing to the player, which waits for it), the SCO is unloaded here,
// where its unload handlers run at once (they often set the session time and end the
// session), and what is left goes straight to the portal with sendBeacon to `final`, the
// launch's farewell URL: the player's last beacon has gone by then, and no message of this
// page would reach it any more.
//
// Each message of the launcher carries `session` (this page's fragment, set by the player), so
// a late message of an earlier launch is never taken for the current one. Messages are taken
// only from the parent window and the portal's origin.
(function () {
  "use strict";
  const portal = document.body.dataset.portalOrigin;
  const frame = document.getElementById("sco");
  const player = window.parent;
  const session = window.location.hash.slice(1);
  if (!portal || player === window || !window.ScormRuntime) return;

  let runtime = null;
  let names = null;
  let farewell = ""; // cleared once the player closes the SCO: it stores the rest itself
  let nextId = 0;
  const waiting = new Map(); // commit id -> resolve(ok)
  const told = { initialized: false, terminated: false, pending: "[]" };

  const post = (message) => player.postMessage({ ...message, session }, portal);

  // What the player must know after a call: the session's state and the unconfirmed changes.
  function report() {
    if (!told.initialized && runtime.state() !== "not initialized") {
      told.initialized = true;
      post({ type: "initialized" });
    }
    const pending = runtime.pendingChanges();
    const text = JSON.stringify(pending);
    if (text !== told.pending) {
      told.pending = text;
      post({ type: "pending", changes: pending });
    }
    if (!told.terminated && runtime.state() === "terminated") {
      told.terminated = true;
      post({ type: "terminated" });
    }
  }

  function onCommit(changes, { terminate }) {
    nextId += 1;
    const id = nextId;
    const stored = new Promise((resolve) => waiting.set(id, resolve));
    post({ type: "commit", id, changes, terminate });
    return stored.then((ok) => {
      setTimeout(report, 0); // once the runtime has taken the outcome in
      return ok;
    });
  }

  function launch(message) {
    const url = new URL(String(message.launch), window.location.href);
    if (url.origin !== window.location.origin) return; // the SCO runs here or nowhere
    const final = typeof message.final === "string" ? message.final : "";
    if (final.startsWith(`${portal}/`)) farewell = final;
    names = message.version === "2004"
      ? { api: "API_1484_11", set: "SetValue", exit: "cmi.exit" }
      : { api: "API", set: "LMSSetValue", exit: "cmi.core.exit" };
    runtime = window.ScormRuntime.create({
      version: message.version, table: message.table, values: message.values || {}, onCommit,
    });
    // The SCO's handle: the API calls, each followed by a report to the player.
    const api = {};
    for (const name of Object.keys(runtime)) {
      if (/^[A-Z]/.test(name)) {
        api[name] = (...args) => {
          const answer = runtime[name](...args);
          report();
          return answer;
        };
      }
    }
    window[names.api] = api;
    frame.src = url.href;
  }

  function close(suspend) {
    farewell = "";
    if (runtime && suspend && runtime.state() === "running") {
      window[names.api][names.set](names.exit, "suspend");
    }
    frame.addEventListener("load", () => post({ type: "closed" }), { once: true });
    frame.src = "about:blank";
  }

  window.addEventListener("pagehide", () => {
    if (!runtime || !farewell) return;
    frame.remove();
    const changes = runtime.pendingChanges();
    if (!changes.length && runtime.state() !== "running") return;
    const body = new Blob([JSON.stringify({ changes, terminate: true })], { type: "text/plain" });
    if (!navigator.sendBeacon(farewell, body)) { // over the beacon's size limit: try anyway
      fetch(farewell, { method: "POST", body, mode: "no-cors" }).catch(() => {});
    }
  });

  window.addEventListener("message", (event) => {
    if (event.origin !== portal || event.source !== player) return;
    const message = event.data;
    if (!message || typeof message !== "object") return;
    if (message.type === "launch" && !runtime) {
      launch(message);
    } else if (message.type === "committed" && waiting.has(message.id)) {
      const resolve = waiting.get(message.id);
      waiting.delete(message.id);
      resolve(message.ok === true);
    } else if (message.type === "close") {
      close(message.suspend === true);
    }
  });
  post({ type: "ready" });
})();
