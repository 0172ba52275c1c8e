// The course player (courses/player.html). Opens one item at a time in the content frame with a
// fresh SCORM runtime (scorm_runtime.js), seeded from the server and installed where content
// looks for it: window.API (1.2) or window.API_1484_11 (2004). Each commit is posted with the
// item's next sequence number; leaving the page sends what is left with sendBeacon. The server
// checks every change again; this page's job is to lose none.
//
// With COURSE_CONTENT_ORIGIN set (data-content-origin), the content runs on that origin instead:
// the frame shows its launcher page, which holds the runtime (scorm_bridge.js describes the
// messages), and a stand-in for the runtime (scorm_player_bridge.js) takes its place here, used
// as a runtime is: the commits and sequence numbers stay on this page, sent from the portal's
// origin with its cookie; only when the tab closes does the launcher send the session's end
// itself (its farewell beacon), after the content's own unload handlers.
(function () {
  "use strict";
  const root = document.getElementById("player");
  if (!root || !window.ScormRuntime) return;
  const data = root.dataset;
  const frame = root.querySelector("[data-content]");
  const statusLine = root.querySelector("[data-status]");
  const toc = root.querySelector("[data-toc]");
  const links = toc ? [...toc.querySelectorAll("a[data-item]")] : [];
  // [{item, title, disabled}]: every launchable item in order, hidden ones too.
  const flow = JSON.parse(data.flow);
  const buttons = {};
  for (const button of root.querySelectorAll("[data-action]")) {
    buttons[button.dataset.action] = button;
  }
  const API = data.version === "2004"
    ? { name: "API_1484_11", other: "API", end: "Terminate", set: "SetValue", exit: "cmi.exit" }
    : { name: "API", other: "API_1484_11", end: "LMSFinish", set: "LMSSetValue",
        exit: "cmi.core.exit" };
  const CONNECT_MS = 15000; // how long a SCO may take to call Initialize once loaded
  const RETRY_MS = [1000, 3000, 9000]; // waits before sending a commit again
  const SETTLE_MS = 20000; // longest a navigation waits for the closing commit
  const UNLOAD_MS = 3000; // longest the content's own unload handler is given
  const KEEPALIVE_BYTES = 60000; // browsers refuse keepalive bodies over 64 KiB
  const contentOrigin = data.contentOrigin || ""; // "" : the content runs on this origin
  let sessions = 0; // launches in the content origin's launcher, to tell their messages apart
  const NOT_CONNECTED = "This lesson has not connected to the portal, so your progress is not " +
    "being recorded. Try reloading; if it persists, tell your trainer.";

  let table = null;
  let current = null; // the open item: {id, src, isSco, seq, committed, runtime, watch}
  let busy = false;
  let problem = ""; // a commit problem on the status line, cleared by the next stored commit
  let gone = false; // the page is going away for good (pagehide, not into the back/forward cache)
  // Items whose prerequisites were unmet when last asked (SCORM 1.2 prerequisites); the
  // contents list marks the visible ones with data-disabled.
  const locked = new Set(flow.filter((entry) => entry.disabled).map((entry) => entry.item));

  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const urlFor = (template, id) => template.replace("__item__", encodeURIComponent(id));
  const titleOf = (id) => (flow.find((entry) => entry.item === id) || { title: id }).title;
  const position = () => (current ? flow.findIndex((entry) => entry.item === current.id) : -1);

  function say(text) {
    statusLine.textContent = text;
  }

  async function getJSON(url) {
    const response = await fetch(url, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return response.json();
  }

  function report(text) {
    problem = text;
    say(text);
  }

  // onCommit for one launch. A send lost on the way is retried with the same sequence number:
  // if the server stored it after all, it answers 409 (stale), which counts as stored.
  async function store(launch, changes, terminate) {
    launch.seq += 1;
    launch.committed = true;
    const body = JSON.stringify({ token: data.token, seq: launch.seq, changes, terminate });
    const request = {
      method: "POST", body, credentials: "same-origin",
      keepalive: new Blob([body]).size < KEEPALIVE_BYTES,
      headers: { "Content-Type": "application/json", "X-CSRFToken": data.csrf,
                 Accept: "application/json" },
    };
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(urlFor(data.commitUrl, launch.id), request).catch(() => null);
      if (response && (response.ok || response.status === 409)) {
        if (problem && statusLine.textContent === problem) say("");
        problem = "";
        return true;
      }
      if (response && response.status === 422) {
        const answer = await response.json().catch(() => ({}));
        const [name, , code] = (answer.errors || [])[0] || [];
        const which = name ? ` (${name}, error ${code})` : "";
        report(`The portal refused this lesson's latest data${which}, so it was not saved. ` +
               "Tell your trainer.");
        return false;
      }
      if (response && response.status < 500) {
        report(`The portal did not accept this lesson's progress (error ${response.status}). ` +
               "Reload the page; if it persists, tell your trainer.");
        return false;
      }
      if (attempt === RETRY_MS.length) {
        report("Your latest progress could not be sent: the connection is lost. Keep this page " +
               "open; it is sent again when the lesson next saves.");
        return false;
      }
      await wait(RETRY_MS[attempt]);
    }
  }

  // Leaving the page: what the runtime has not had confirmed goes with sendBeacon, which
  // outlives the page but carries no headers (the attempt's token in the body is the
  // credential), with no reply to wait for. A session never committed is reported too, and
  // one still running when the page goes away is ended.
  function sendLast(terminate) {
    const launch = current;
    if (!launch) return;
    const changes = launch.runtime.pendingChanges();
    const running = launch.runtime.state() === "running";
    if (!changes.length && !(running && (terminate || !launch.committed))) return;
    launch.seq += 1;
    launch.committed = true;
    const payload = { token: data.token, seq: launch.seq, changes, terminate };
    const body = new Blob([JSON.stringify(payload)], { type: "text/plain" });
    const url = urlFor(data.commitUrl, launch.id);
    if (!navigator.sendBeacon(url, body)) { // over the beacon's size limit: try while we can
      fetch(url, { method: "POST", body, credentials: "same-origin" }).catch(() => {});
    }
  }

  // The content is unloaded first: its own unload handler often sets session_time and calls
  // Terminate. A session it left open the player ends, as the standard lets the LMS do, so its
  // data is committed; then it waits (a while) for that commit.
  async function close(suspend) {
    const launch = current;
    if (!launch) return;
    clearTimeout(launch.watch);
    const runtime = launch.runtime;
    if (contentOrigin) { // the launcher unloads the SCO itself, then says so
      await Promise.race([runtime.closeContent(suspend), wait(UNLOAD_MS)]);
    } else if (suspend && runtime.state() === "running") {
      runtime[API.set](API.exit, "suspend");
    }
    const unloaded = new Promise((resolve) => {
      frame.addEventListener("load", resolve, { once: true });
    });
    frame.src = "about:blank";
    await Promise.race([unloaded, wait(UNLOAD_MS)]);
    // A first Terminate that reports an earlier failed commit sends it again; the second ends.
    if (runtime.state() === "running" && runtime[API.end]("") === "false") runtime[API.end]("");
    await Promise.race([runtime.settled(), wait(SETTLE_MS)]);
  }

  // A SCO that ends its session itself (its own Exit button, say) expects the LMS to take over.
  // A SCORM 2004 navigation request is followed as the player's own buttons would: leaving the
  // course as Exit and "Save and finish later" do; continue, previous and a choice of an item
  // in the table of contents by moving through the flow (the server still refuses an item whose
  // prerequisites are not met); the rest waits for the sequencing engine. Otherwise the learner
  // is told that the lesson has ended, since what they do in it from then on is recorded nowhere.
  const LEAVING = { exitAll: false, suspendAll: true }; // adl.nav.request -> suspend
  function ended(launch) {
    if (launch !== current) return;
    const target = requestedItem(launch);
    if (Object.hasOwn(LEAVING, launch.navRequest)) {
      leave(LEAVING[launch.navRequest]);
    } else if (target) {
      open(target, true);
    } else {
      say(`“${titleOf(launch.id)}” has ended. Choose Exit to go back to your courses` +
          (flow.length > 1 ? ", or open another lesson." : "."));
    }
  }

  // The item a continue, previous or {target=ID}choice (or jump) request names, if it is in
  // the flow; null otherwise.
  function requestedItem(launch) {
    const at = flow.findIndex((entry) => entry.item === launch.id);
    const request = launch.navRequest;
    if (request === "continue") return at >= 0 && at < flow.length - 1 ? flow[at + 1].item : null;
    if (request === "previous") return at > 0 ? flow[at - 1].item : null;
    const chosen = /^\{target=([^}]+)\}(?:choice|jump)$/.exec(request);
    return chosen && flow.some((entry) => entry.item === chosen[1]) ? chosen[1] : null;
  }

  function start(id, state) {
    const launch = { id, src: state.launch, isSco: state.is_sco === true,
                     seq: Number(state.seq) || 0, committed: false, watch: 0, navRequest: "" };
    const onCommit = (changes, { terminate }) => {
      for (const [name, value] of changes) {
        if (name === "adl.nav.request") launch.navRequest = value;
      }
      // Not ended by the player (busy opening or leaving) or by the page going away.
      if (terminate && !busy && !gone) ended(launch);
      return store(launch, changes, terminate);
    };
    if (contentOrigin) {
      sessions += 1;
      launch.session = String(sessions);
      launch.src = `${state.launcher || data.launcherUrl}#${launch.session}`;
      launch.runtime = window.ScormPlayerBridge.create({
        frame, origin: contentOrigin, version: data.version, table, state, end: API.end,
        onCommit, isOpen: () => launch === current,
      });
    } else {
      launch.runtime = window.ScormRuntime.create({
        version: data.version, table, values: state.values || {}, onCommit,
      });
      delete window[API.other];
      window[API.name] = launch.runtime;
    }
    current = launch;
    frame.src = launch.src;
  }

  // Messages of the content origin's launcher: only from it, in the frame, for the open launch.
  window.addEventListener("message", (event) => {
    const launch = current;
    if (!contentOrigin || !launch || event.origin !== contentOrigin ||
        event.source !== frame.contentWindow) return;
    const message = event.data;
    if (!message || typeof message !== "object" || message.session !== launch.session) return;
    launch.runtime.receive(message);
  });

  function lock(id, isLocked) {
    if (isLocked) locked.add(id);
    else locked.delete(id);
    const link = links.find((candidate) => candidate.dataset.item === id);
    if (!link) return;
    // Still a working link (the server may have unlocked it since); its text says why not.
    link.toggleAttribute("data-disabled", isLocked);
    link.querySelector("[data-locked]").hidden = !isLocked;
  }

  // Whether the server says `id` may not be opened yet; it says so in the item's state.
  function stillLocked(id, state) {
    lock(id, Boolean(state.disabled));
    if (state.disabled) say(`“${titleOf(id)}” opens once the lessons before it are done.`);
    return Boolean(state.disabled);
  }

  // Opens `id`; focus moves into the lesson when asked, or when the button pressed has no
  // further to go.
  async function open(id, focusFrame) {
    if (busy) return;
    busy = true;
    let opened = false;
    try {
      // An item locked when last asked is asked about before the open one is closed, so a
      // learner who cannot go there yet stays where they are.
      if (locked.has(id) && stillLocked(id, await getJSON(urlFor(data.stateUrl, id)))) return;
      await close(false);
      const state = await getJSON(urlFor(data.stateUrl, id));
      if (stillLocked(id, state)) return;
      start(id, state);
      opened = true;
      if (!problem) say(`Opened “${titleOf(id)}”.`);
    } catch (error) {
      say(`“${titleOf(id)}” could not be opened. Check your connection and try again.`);
    } finally {
      busy = false;
      showCurrent();
    }
    if (opened && (focusFrame || document.activeElement.disabled)) frame.focus();
  }

  function showCurrent() {
    const at = position();
    buttons.previous.disabled = at <= 0;
    buttons.next.disabled = at < 0 || at >= flow.length - 1;
    for (const link of links) {
      const here = current !== null && link.dataset.item === current.id;
      link.classList.toggle("fw-semibold", here);
      if (here) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  }

  async function leave(suspend) {
    if (busy) return;
    busy = true;
    say(suspend ? "Saving your place…" : "Saving your progress…");
    await close(suspend);
    window.location.assign(data.exitUrl);
  }

  // Restarts on every load in the frame (content may move between its own pages).
  frame.addEventListener("load", () => {
    const launch = current;
    if (!launch || !launch.isSco || frame.getAttribute("src") !== launch.src) return;
    clearTimeout(launch.watch);
    launch.watch = setTimeout(function check() {
      if (launch !== current) return;
      if (launch.runtime.initializeCalled()) {
        if (statusLine.textContent === NOT_CONNECTED) say("");
        return;
      }
      if (statusLine.textContent !== NOT_CONNECTED) say(NOT_CONNECTED);
      launch.watch = setTimeout(check, 5000);
    }, CONNECT_MS);
  });

  if (toc) {
    toc.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-item]");
      if (!link) return;
      event.preventDefault();
      open(link.dataset.item, true);
    });
  }
  buttons.previous.addEventListener("click", () => open(flow[position() - 1].item, false));
  buttons.next.addEventListener("click", () => open(flow[position() + 1].item, false));
  buttons.exit.addEventListener("click", () => leave(false));
  buttons.suspend.addEventListener("click", () => leave(true));
  // The page's pagehide comes before the content's unload, whose handler often sets session_time
  // and calls Terminate; the server takes nothing after an ending commit, so on the way out the
  // frame is removed first, which runs those handlers now. Chromium may fire visibilitychange
  // after the final pagehide: a later beacon without `terminate` would make the server drop the
  // ending one as stale, so none is sent.
  window.addEventListener("pagehide", (event) => {
    gone = !event.persisted;
    if (gone) frame.remove();
    // On a content origin the launcher ends the session with its own farewell beacon, once
    // the content's unload handlers have run there; ending it here would refuse that one.
    sendLast(gone && !contentOrigin);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && !gone) sendLast(false);
  });

  getJSON(data.tableUrl)
    .then((loaded) => {
      table = loaded;
      if (data.firstItem) return open(data.firstItem, false);
      say("This course has no lesson to open. Tell your trainer.");
    })
    .catch(() => say("The course could not be loaded. Check your connection and reload the page."));
})();
