// Records takes in the browser and uploads them while they are recorded, for the recording
// pages (sample_call.js, interview.js): every chunk the recorder hands over is kept in
// IndexedDB and PUT as a numbered part with its SHA-256; after Stop the take is completed with
// the whole file's SHA-256. A reload or a closed tab resumes: the page asks the server which
// parts it has, sends the rest from IndexedDB, and completes the take. Parts leave IndexedDB
// only once the server has the whole take.
//
//   const uploads = window.takeUploads(root.dataset, {status(prompt, text), result(prompt,
//                                      take, answer)});
//   const recording = await uploads.record(prompt, stream, maxSeconds, tick);  // tick(left)
//   recording.stop();  // or it stops itself at maxSeconds; recording.stopped resolves, and
//                      // the take is saved
//   uploads.resume();  // on load: finish what a reload interrupted
//   uploads.watch(prompt, take);  // a take being processed: report it when done
window.takeUploads = (settings, report) => {
  "use strict";
  const PREFERRED = {
    audio: ["audio/webm;codecs=opus", "audio/mp4", "audio/ogg;codecs=opus", "audio/webm"],
    video: ["video/webm;codecs=vp8,opus", "video/webm", "video/mp4;codecs=avc1,mp4a",
            "video/mp4"],
  };
  const CHUNK_MS = 1000;
  const POLL_MS = 2000;
  const DELAYED_POLL_MS = 30000;  // processing failed on the server: staff must act first

  const wait = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });
  const takeUrl = (take) => settings.takeUrl.replace(/\/0$/, `/${take}`);

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
    const headers = { "X-CSRFToken": settings.csrf, Accept: "application/json",
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

  // Processing runs in the background. When it failed for a reason of the server's (the take
  // is kept), the candidate is told there is nothing to redo, and the page keeps asking, less
  // often, until staff have it run again.
  async function processed(prompt, take, answer) {
    let latest = answer;
    while (latest.status === "uploaded") {
      if (latest.delayed) {
        report.status(prompt, "Your recording is saved. Preparing it for review is taking " +
                      "longer than usual; you do not need to record it again.");
      }
      await wait(latest.delayed ? DELAYED_POLL_MS : POLL_MS);
      latest = (await call(takeUrl(take))).body;
    }
    report.result(prompt, take, latest);
  }

  async function finish(meta) {
    report.status(meta.prompt, "Saving your recording…");
    await (queues.get(meta.take) || Promise.resolve());
    const { status, body } = await call(takeUrl(meta.take));
    if (status === 404) {  // gone (erased, or another account): nothing to send
      await forget(meta.take);
      return;
    }
    const have = new Set(body.received || []);
    if (body.status === "uploading") {
      let done;
      // Twice at most: when the server's parts do not make this file (lost in a crash, say),
      // it drops them all (start_over) and they are all sent again.
      for (let round = 0; round < 2; round += 1) {
        for (const part of await partsOf(meta.take)) {
          if (!have.has(part.index)) await queuePart(meta.take, part.index, part.blob);
        }
        await (queues.get(meta.take) || Promise.resolve());
        done = await postJson(`${takeUrl(meta.take)}/complete`,
                              { parts: meta.parts, sha256: meta.sha256 });
        if (!done.body.start_over) break;
        have.clear();
      }
      if (done.status !== 202) {
        report.status(meta.prompt, done.body.error
                      || "Your recording could not be saved; please record it again.");
        return;
      }
      Object.assign(body, done.body);
    }
    await forget(meta.take);
    await processed(meta.prompt, meta.take, body);
  }

  // --- recording -----------------------------------------------------------------------------

  // Starts recording `stream` as a take of `prompt`: {stop()}, or throws an Error whose
  // message says why the server refused to start it.
  async function record(prompt, stream, maxSeconds, tick) {
    const type = PREFERRED[settings.kind].find((t) => MediaRecorder.isTypeSupported(t)) || "";
    const recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    const started = await postJson(settings.takesUrl.replace("__prompt__", prompt),
                                   { mime_type: recorder.mimeType || type });
    if (started.status !== 201) {
      throw new Error(started.body.error || "Recording could not start.");
    }
    const meta = { take: started.body.id, application: settings.application,
                   step: settings.step, prompt, parts: null, sha256: null };
    await keepTake(meta);
    const blobs = [], kept = [];
    recorder.ondataavailable = (event) => {
      if (!event.data.size) return;  // Safari may hand over empty chunks
      const index = blobs.length;
      blobs.push(event.data);
      kept.push(keepPart(meta.take, index, event.data)
        .then(() => { queuePart(meta.take, index, event.data); }));
    };
    const began = performance.now();
    const clock = setInterval(() => {
      const left = Math.max(0, Math.ceil(maxSeconds - (performance.now() - began) / 1000));
      tick(left);
      if (left === 0 && recorder.state === "recording") recorder.stop();
    }, 250);
    const stopped = new Promise((resolve) => {
      recorder.onstop = async () => {
        clearInterval(clock);
        resolve();
        await Promise.all(kept);
        meta.parts = blobs.length;
        meta.sha256 = await sha256(new Blob(blobs));
        await keepTake(meta);
        finish(meta);
      };
    });
    recorder.start(CHUNK_MS);
    tick(maxSeconds);
    return { take: meta.take, stopped,
             stop: () => recorder.state === "recording" && recorder.stop() };
  }

  // --- after a reload --------------------------------------------------------------------------

  // Finishes the takes of this step that a reload interrupted; the ids it resumes.
  async function resume() {
    const takes = (await keptTakes()).filter(
      (t) => t.application === settings.application && t.step === settings.step);
    for (const meta of takes) {
      if (!meta.sha256) {
        // The tab closed while recording: keep what was recorded up to then.
        const parts = (await partsOf(meta.take)).sort((a, b) => a.index - b.index);
        if (!parts.length) {
          await forget(meta.take);
          continue;
        }
        meta.parts = parts.length;
        meta.sha256 = await sha256(new Blob(parts.map((p) => p.blob)));
        await keepTake(meta);
      }
      finish(meta);
    }
    return new Set(takes.map((t) => t.take));
  }

  const watch = (prompt, take) => processed(prompt, take, { status: "uploaded" });

  return { record, resume, watch };
};
