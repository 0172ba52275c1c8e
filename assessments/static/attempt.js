// An assessment page: every answer is saved on its own the moment it is complete, one small
// request each; answers not yet confirmed by the server wait in localStorage and are sent again
// (after a dropped connection, or on the next visit if the tab was closed). The clock shows the
// server's remaining time; the server, not this script, enforces it. Leaving the page is
// reported as an integrity signal (debounced), for a person to weigh, never as a fail.
(function () {
  "use strict";
  const root = document.getElementById("assessment");
  const form = root && root.querySelector("[data-attempt-form]");
  if (!form) return;

  const autosaveUrl = root.dataset.autosaveUrl;
  const tab = root.dataset.tab;
  const csrf = form.querySelector("input[name=csrf_token]").value;
  const storeKey = "assessment-pending:" + autosaveUrl;
  const announce = root.querySelector("[data-announce]");
  let seq = Number(root.dataset.seqStart) || 0;
  let blocked = false;
  const pending = loadPending();   // item id -> [[name, value], ...] not yet confirmed
  const inFlight = new Set();

  function loadPending() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  function keepPending() {
    try { localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* full */ }
  }

  function stateOf(itemId) {
    const block = form.querySelector(`[data-item="${CSS.escape(itemId)}"]`);
    return block && block.querySelector("[data-save-state]");
  }
  function show(itemId, text, isError) {
    const state = stateOf(itemId);
    if (!state) return;
    state.textContent = text;
    state.classList.toggle("text-danger", Boolean(isError));
    state.classList.toggle("text-muted", !isError);
    if (isError) announce.textContent = text;
  }

  // The answer's fields when the item is complete enough to save, otherwise null: every radio
  // group has a choice and every select a value (checkbox lists and text are always complete).
  function fieldsOf(block) {
    const fields = [];
    const groups = new Set();
    const chosen = new Set();
    for (const input of block.querySelectorAll("input[name], select[name], textarea[name]")) {
      if (input.type === "radio") {
        groups.add(input.name);
        if (input.checked) { fields.push([input.name, input.value]); chosen.add(input.name); }
      } else if (input.type === "checkbox") {
        if (input.checked) fields.push([input.name, input.value]);
      } else if (input.tagName === "SELECT" && !input.value) {
        return null;
      } else {
        fields.push([input.name, input.value]);
      }
    }
    if ([...groups].some((name) => !chosen.has(name))) return null;
    if (block.dataset.type === "multiple_choice" && !fields.length) {
      fields.push(["a-" + block.dataset.item + "-cleared", "1"]);
    }
    return fields;
  }

  function send(itemId) {
    if (blocked || inFlight.has(itemId) || !pending[itemId]) return;
    const fields = pending[itemId];
    const body = new URLSearchParams(fields);
    seq += 1;
    body.set("item", itemId);
    body.set("seq", String(seq));
    body.set("tab", tab);
    inFlight.add(itemId);
    show(itemId, "Saving…");
    fetch(autosaveUrl, {
      method: "POST", body, keepalive: true, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
    }).then(async (response) => {
      const data = await response.json().catch(() => ({}));
      inFlight.delete(itemId);
      if (response.ok) {
        if (pending[itemId] === fields) { delete pending[itemId]; keepPending(); }
        show(itemId, "Saved");
        update(data);
        send(itemId);  // a newer answer given meanwhile
      } else if (response.status === 409) {
        lockPage(data.error || "This assessment can no longer be changed here.");
      } else if (response.status >= 400 && response.status < 500) {
        if (pending[itemId] === fields) { delete pending[itemId]; keepPending(); }
        show(itemId, data.error || "This answer could not be saved.", true);
      } else {
        retryLater(itemId);
      }
    }).catch(() => { inFlight.delete(itemId); retryLater(itemId); });
  }

  function retryLater(itemId) {
    show(itemId, "Not saved yet: no connection. Trying again…", true);
    setTimeout(() => send(itemId), 3000);
  }

  function lockPage(message) {
    blocked = true;
    const banner = root.querySelector("[data-blocked]");
    banner.textContent = message;
    banner.classList.remove("d-none");
    for (const input of form.querySelectorAll("input, select, textarea, button")) {
      if (input.type !== "hidden") input.disabled = true;
    }
    banner.setAttribute("tabindex", "-1");
    banner.focus();
  }

  function update(data) {
    if (typeof data.answered === "number") {
      root.querySelector("[data-answered]").textContent = data.answered;
      const progress = root.querySelector("[data-progress]");
      progress.value = data.answered;
      progress.textContent = `${data.answered} of ${data.total}`;
    }
    if (typeof data.remaining === "number") clock.sync(data.remaining);
  }

  function answerChanged(block) {
    const fields = fieldsOf(block);
    if (!fields) { show(block.dataset.item, "Not saved yet: complete this question."); return; }
    pending[block.dataset.item] = fields;
    keepPending();
    send(block.dataset.item);
  }

  const typingTimers = {};
  form.addEventListener("change", (event) => {
    const block = event.target.closest("[data-item]");
    if (block) answerChanged(block);
  });
  form.addEventListener("input", (event) => {
    const block = event.target.closest("[data-item][data-type=text]");
    if (!block) return;
    clearTimeout(typingTimers[block.dataset.item]);
    typingTimers[block.dataset.item] = setTimeout(() => answerChanged(block), 1200);
  });
  form.addEventListener("paste", () => signal("paste"));
  form.addEventListener("submit", () => { // the page posts every answer itself
    for (const id of Object.keys(pending)) delete pending[id];
    keepPending();
  });
  window.addEventListener("beforeunload", (event) => {
    if (Object.keys(pending).length && !blocked) event.preventDefault();
  });

  // Leaving the page: counted once per departure, however many events it fires.
  let lastSignal = {};
  function signal(kind) {
    const now = Date.now();
    if (now - (lastSignal[kind] || 0) < 2000) return;
    lastSignal[kind] = now;
    fetch(root.dataset.signalUrl, {
      method: "POST", keepalive: true, credentials: "same-origin",
      body: new URLSearchParams({ kind }), headers: { "X-CSRFToken": csrf },
    }).catch(() => {});
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") signal("focus_lost");
  });
  window.addEventListener("blur", () => signal("focus_lost"));

  // The clock: counts down from the server's figure, resynchronised by every save; when it
  // reaches zero the page reloads after the grace and the server closes the attempt.
  const clock = (function () {
    const face = root.querySelector("[data-clock]");
    if (!face || root.dataset.remaining === undefined) return { sync() {} };
    let endsAt = performance.now() + Number(root.dataset.remaining) * 1000;
    const warned = new Set();
    function tick() {
      const left = Math.max(0, Math.round((endsAt - performance.now()) / 1000));
      face.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      face.parentElement.classList.toggle("is-low", left <= 60);
      for (const mark of [300, 60]) {
        if (left <= mark && left > 0 && !warned.has(mark)) {
          warned.add(mark);
          announce.textContent = `${mark / 60} minute${mark > 60 ? "s" : ""} left.`;
        }
      }
      if (left === 0) {
        announce.textContent = "Time is up. Your answers are kept.";
        for (const id of Object.keys(pending)) send(id);
        setTimeout(() => window.location.assign(window.location.pathname), 6000);
        return;
      }
      const untilNextSecond = (endsAt - performance.now()) % 1000;
      setTimeout(tick, untilNextSecond > 20 ? untilNextSecond : 1000);
    }
    tick();
    return { sync(seconds) { endsAt = performance.now() + seconds * 1000; } };
  })();

  // Answers a closed tab or a lost connection left unsent: sent now, with this tab's token.
  for (const id of Object.keys(pending)) send(id);
})();
