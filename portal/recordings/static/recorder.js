// Records each turn in the browser and uploads it while it is recorded: every chunk the
// recorder hands over is kept in IndexedDB and PUT as a numbered part with its SHA-256; after
// Stop the page completes the take with the whole file's SHA-256. A reload or a closed tab
// resumes: the page asks the server which parts it has, sends the rest from IndexedDB, and
// completes the take. Parts leave IndexedDB only once the server has the whole take.
(() => {
  "use strict";
  const root = document.getElementById("recorder");
  if (!root || root.hasAttribute("data-closed")) return;
  const data = root.dataset;
  const PREFERRED = {
    audio: ["audio/webm;codecs=opus", "audio/mp4", "audio/ogg;codecs=opus", "audio/webm"],
    video: ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4"],
  };
  const CHUNK_MS = 1000;
  const POLL_MS = 2000;

  const wait = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
  const takeUrl = (take) => data.takeUrl.replace(/\/0$/, `/${take}`);
  const mediaUrl = (take) => data.mediaUrl.replace("/0/", `/${take}/`);
  const cardOf = (prompt) => root.querySelector(`[data-prompt="${prompt}"]`);
  const say = (card, text) => { card.querySelector("[data-status-text]").textContent = text; };

  // --- IndexedDB: the parts and the stopped takes, until the server has them --------------

  const opened = new Promise((resolve, reject) => {
    const request = indexedDB.open("wah-recordings", 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore("parts", { keyPath: ["take", "index"] });
      request.result.createObjectStore("takes", { keyPath: "take" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  function stored(name, mode, action) {
    return opened.then((db) => new Promise((resolve, reject) => {
      const request = action(db.transaction(name, mode).objectStore(name));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }));
  }
  const partsRange = (take) => IDBKeyRange.bound([take, 0], [take, Number.MAX_SAFE_INTEGER]);
  const keepPart = (take, index, blob) => stored("parts", "readwrite",
                                                 (s) => s.put({ take, index, blob }));
  const partsOf = (take) => stored("parts", "readonly", (s) => s.getAll(partsRange(take)));
  const keepTake = (meta) => stored("takes", "readwrite", (s) => s.put(meta));
  const keptTakes = () => stored("takes", "readonly", (s) => s.getAll());
  const forget = (take) => Promise.all([
    stored("parts", "readwrite", (s) => s.delete(partsRange(take))),
    stored("takes", "readwrite", (s) => s.delete(take))]);

  // --- talking to the server ---------------------------------------------------------------

  async function sha256(blob) {
    const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function call(url, options = {}) {
    const headers = { "X-CSRFToken": data.csrf, Accept: "application/json",
                      ...(options.headers || {}) };
    const response = await fetch(url, { credentials: "same-origin", ...options, headers });
    return { status: response.status, body: await response.json().catch(() => ({})) };
  }

  const postJson = (url, body) => call(url, {
    method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });

  // One part, retried with backoff while the connection is down; false when refused.
  async function sendPart(take, index, blob) {
    const checksum = await sha256(blob);
    for (let attempt = 0; ; attempt += 1) {
      try {
        const { status } = await call(`${takeUrl(take)}/parts/${index}`, {
          method: "PUT", body: blob,
          headers: { "Content-Type": "application/octet-stream", "X-Part-SHA256": checksum } });
        if (status === 200) return true;
        if (status < 500 && status !== 429) return false;
      } catch (error) {
        // offline or the server restarting: try again
      }
      await wait(Math.min(30000, 1000 * 2 ** attempt));
    }
  }

  // Parts go out one after another per take, in the order they were recorded.
  const queues = new Map();
  function queuePart(take, index, blob) {
    const next = (queues.get(take) || Promise.resolve()).then(() => sendPart(take, index, blob));
    queues.set(take, next.catch(() => false));
    return next;
  }

  // --- finishing a take: after Stop, or after a reload -----------------------------------------

  function show(card, take, answer) {
    const player = card.querySelector("[data-player]");
    card.dataset.take = take;
    card.dataset.status = answer.status;
    if (answer.status === "ready") {
      say(card, "Saved. Listen back below; record again if you want to.");
      player.src = mediaUrl(take);
      player.hidden = false;
    } else if (answer.status === "failed") {
      say(card, `This recording could not be used: ${answer.failure} Please record it again.`);
    }
    const button = card.querySelector('[data-action="record"]');
    button.textContent = answer.status === "failed" ? "Record my answer" : "Record again";
    button.disabled = Number(card.dataset.left) <= 0 && answer.status !== "failed";
  }

  async function finish(meta) {
    const card = cardOf(meta.prompt);
    say(card, "Saving your recording…");
    await (queues.get(meta.take) || Promise.resolve());
    const { status, body } = await call(takeUrl(meta.take));
    if (status === 404) {  // gone (erased, or another account): nothing to send
      await forget(meta.take);
      return;
    }
    const have = new Set(body.received || []);
    if (body.status === "uploading") {
      for (const part of await partsOf(meta.take)) {
        if (!have.has(part.index)) await queuePart(meta.take, part.index, part.blob);
      }
      await (queues.get(meta.take) || Promise.resolve());
      const done = await postJson(`${takeUrl(meta.take)}/complete`,
                                  { parts: meta.parts, sha256: meta.sha256 });
      if (done.status !== 202) {
        say(card, done.body.error || "Your recording could not be saved; please record again.");
        return;
      }
      Object.assign(body, done.body);
    }
    await forget(meta.take);
    let answer = body;
    while (answer.status === "uploaded") {  // processing in the background
      await wait(POLL_MS);
      answer = (await call(takeUrl(meta.take))).body;
    }
    show(card, meta.take, answer);
  }

  // --- recording -----------------------------------------------------------------------------

  let media = null;
  async function inputs() {
    if (!media) {
      media = await navigator.mediaDevices.getUserMedia(
        data.kind === "video" ? { audio: true, video: true } : { audio: true });
    }
    return media;
  }

  async function record(card) {
    const again = card.dataset.take && card.dataset.status !== "failed";
    if (again && !window.confirm("Record this turn again? The new recording replaces the one "
                                 + "saved once it is complete.")) return;
    let source;
    try {
      source = await inputs();
    } catch (error) {
      const problem = window.mediaDeviceProblem(error);
      say(card, data[`problem${problem[0].toUpperCase()}${problem.slice(1)}`]
                || "The microphone could not be started.");
      return;
    }
    const type = PREFERRED[data.kind].find((t) => MediaRecorder.isTypeSupported(t)) || "";
    const recorder = new MediaRecorder(source, type ? { mimeType: type } : undefined);
    const started = await postJson(data.takesUrl.replace("__prompt__", card.dataset.prompt),
                                   { mime_type: recorder.mimeType || type });
    if (started.status !== 201) {
      say(card, started.body.error || "Recording could not start.");
      return;
    }
    const meta = { take: started.body.id, application: data.application,
                   prompt: card.dataset.prompt, parts: null, sha256: null };
    await keepTake(meta);
    card.dataset.left = Number(card.dataset.left) - 1;
    const blobs = [], kept = [];
    recorder.ondataavailable = (event) => {
      if (!event.data.size) return;  // Safari may hand over empty chunks
      const index = blobs.length;
      blobs.push(event.data);
      kept.push(keepPart(meta.take, index, event.data)
        .then(() => { queuePart(meta.take, index, event.data); }));
    };
    const buttons = { record: card.querySelector('[data-action="record"]'),
                      stop: card.querySelector('[data-action="stop"]') };
    const limit = Number(card.dataset.maxSeconds);
    const began = performance.now();
    const clock = setInterval(() => {
      const left = Math.max(0, Math.ceil(limit - (performance.now() - began) / 1000));
      say(card, `Recording… ${left} s left.`);
      if (left === 0 && recorder.state === "recording") recorder.stop();
    }, 250);
    recorder.onstop = async () => {
      clearInterval(clock);
      buttons.stop.hidden = true;
      await Promise.all(kept);
      meta.parts = blobs.length;
      meta.sha256 = await sha256(new Blob(blobs));
      await keepTake(meta);
      finish(meta);
    };
    buttons.stop.onclick = () => recorder.state === "recording" && recorder.stop();
    buttons.record.disabled = true;
    buttons.stop.hidden = false;
    buttons.stop.focus();
    recorder.start(CHUNK_MS);
  }

  // --- start: resume what a reload interrupted, then wait for clicks --------------------------

  for (const button of root.querySelectorAll('[data-action="record"]')) {
    button.addEventListener("click", () => record(button.closest("[data-prompt]")));
  }
  keptTakes().then(async (takes) => {
    for (const meta of takes.filter((t) => t.application === data.application)) {
      if (meta.sha256) {
        await finish(meta);  // stopped before the reload: finish saving it
      } else {
        // The tab closed while recording: keep what was recorded up to then.
        const parts = (await partsOf(meta.take)).sort((a, b) => a.index - b.index);
        if (!parts.length) {
          await forget(meta.take);
          continue;
        }
        meta.parts = parts.length;
        meta.sha256 = await sha256(new Blob(parts.map((p) => p.blob)));
        await keepTake(meta);
        await finish(meta);
      }
    }
  });
  keptTakes().then((takes) => {
    const resumed = new Set(takes.map((t) => t.take));
    for (const card of root.querySelectorAll("[data-take]")) {
      const take = Number(card.dataset.take);
      if (card.dataset.status === "uploaded") {  // being processed: show it when ready
        finish({ take, prompt: card.dataset.prompt, parts: 0, sha256: "" });
      } else if (card.dataset.status === "uploading" && !resumed.has(take)) {
        say(card, "This recording did not finish saving from this browser. Please record it "
                  + "again.");
      }
    }
  });
})();
