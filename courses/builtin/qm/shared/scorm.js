// The course's link to the LMS: finds the SCORM 2004 run-time API (API_1484_11) the standard
// way and wraps it in a few calls the lessons need. Written for this course; no library.
//
// Finding the API (SCORM 2004 RTE 3.1.3): the LMS puts API_1484_11 on a window that contains
// the SCO, so look in this window, then up the chain of parents; if it is not there, the SCO
// may have been opened in a new window, so look up the chain of window.opener (and of the top
// window's opener) the same way. A window of another origin cannot be read: it is skipped.
//
// Without an API (the page opened on its own) the lesson still works; nothing is recorded and
// `connected` is false.
(function () {
  "use strict";

  const MAX_HOPS = 500; // ADL's own limit on how far up to look
  const ERROR_NOT_INITIALIZED = "403"; // GetValue of an element with no value yet

  function apiIn(win) {
    try {
      const api = win.API_1484_11;
      return api && typeof api.Initialize === "function" ? api : null;
    } catch (error) {
      return null; // another origin's window
    }
  }

  function parentOf(win) {
    try {
      return win.parent && win.parent !== win ? win.parent : null;
    } catch (error) {
      return null;
    }
  }

  function openerOf(win) {
    try {
      return win.opener || null;
    } catch (error) {
      return null;
    }
  }

  function searchUp(start) {
    let win = start;
    for (let hops = 0; win && hops < MAX_HOPS; hops += 1) {
      const api = apiIn(win);
      if (api) return api;
      win = parentOf(win);
    }
    return null;
  }

  function findApi() {
    let api = searchUp(window);
    if (api) return api;
    const opener = openerOf(window);
    if (opener) api = searchUp(opener);
    if (api) return api;
    let top = null;
    try {
      top = window.top;
    } catch (error) {
      top = null;
    }
    const topOpener = top && top !== window ? openerOf(top) : null;
    return topOpener ? searchUp(topOpener) : null;
  }

  // A length of time as SCORM 2004 writes it: PT#H#M#S, seconds with at most two decimals.
  function duration(milliseconds) {
    const hundredths = Math.max(0, Math.round(milliseconds / 10));
    const hours = Math.floor(hundredths / 360000);
    const minutes = Math.floor((hundredths % 360000) / 6000);
    const seconds = (hundredths % 6000) / 100;
    return `PT${hours}H${minutes}M${seconds}S`;
  }

  // A moment as SCORM 2004 writes it: YYYY-MM-DDThh:mm:ssZ (no milliseconds).
  function timestamp(date) {
    return (date || new Date()).toISOString().replace(/\.\d+Z$/, "Z");
  }

  const api = findApi();
  let state = "not started"; // "running", "ended"
  let startedAt = 0;
  const listeners = [];

  function report(call, name, value) {
    if (!api) return;
    const code = String(api.GetLastError());
    if (code === "0") return;
    const text = api.GetDiagnostic("") || api.GetErrorString(code);
    if (window.console) {
      window.console.warn(`SCORM ${call}(${name || ""}${value === undefined ? "" : ", " + value}) ` +
                          `failed: ${code} ${text}`);
    }
  }

  const scorm = {
    connected: Boolean(api),
    duration,
    timestamp,

    // Initialize; true when the LMS is there and answered.
    start() {
      if (!api || state !== "not started") return state === "running";
      const ok = String(api.Initialize("")) === "true";
      if (!ok) report("Initialize");
      state = ok ? "running" : "ended";
      startedAt = Date.now();
      return ok;
    },

    running() {
      return state === "running";
    },

    // The element's value, or "" when it has none (or there is no LMS).
    get(name) {
      if (state !== "running") return "";
      const value = String(api.GetValue(name));
      const code = String(api.GetLastError());
      if (code !== "0" && code !== ERROR_NOT_INITIALIZED) report("GetValue", name);
      return value;
    },

    set(name, value) {
      if (state !== "running") return false;
      const ok = String(api.SetValue(name, String(value))) === "true";
      if (!ok) report("SetValue", name, value);
      return ok;
    },

    // Asks the LMS to store what was set so far; false (and the listeners told) when it says
    // an earlier store failed.
    commit() {
      if (state !== "running") return false;
      const ok = String(api.Commit("")) === "true";
      if (!ok) report("Commit");
      listeners.forEach((listener) => listener(ok));
      return ok;
    },

    // The session time, then Terminate; once. Called when the page goes away.
    finish() {
      if (state !== "running") return;
      scorm.set("cmi.session_time", duration(Date.now() - startedAt));
      state = "ended";
      if (String(api.Terminate("")) !== "true") report("Terminate");
    },

    // listener(ok) after every commit: for a line telling the learner whether it was saved.
    onCommit(listener) {
      listeners.push(listener);
    },
  };

  // The page is going away (the learner moved on, closed the window, or the LMS unloaded it):
  // end the session so the time is counted and the last changes are stored. pagehide, not
  // unload: browsers are retiring unload, and pagehide also fires when a frame is removed. A
  // page kept in the back/forward cache (persisted) may come back: only commit then.
  window.addEventListener("pagehide", (event) => {
    if (event.persisted) scorm.commit();
    else scorm.finish();
  });

  window.QmScorm = scorm;
})();
