// The computer check: this computer and browser, its connection to the portal (round trips,
// then download and upload as LibreSpeed measures them: parallel streams, a warm-up left out),
// and the microphone (noise floor, a test recording played back). The page posts the raw
// samples; the server computes every figure and the verdict.
(() => {
  "use strict";
  const root = document.getElementById("readiness");
  if (!root) return;
  const find = (selector) => root.querySelector(selector);
  const data = root.dataset;
  const run = { device: null, latency: null, download: null, upload: null, noise: null,
                microphone: null };

  const SAMPLE_EVERY_MS = 200;
  const DOWNLOAD = { streams: 6, megabytes: 25, maxMs: 15000, enoughBytes: 60e6,
                     warmupMs: Number(data.downloadWarmup) };
  const UPLOAD = { streams: 3, megabytes: 4, maxMs: 15000, enoughBytes: 25e6,
                   warmupMs: Number(data.uploadWarmup) };
  const PINGS = 10, PING_TIMEOUT_MS = 3000;
  const AUDIO_TYPES = ["audio/webm;codecs=opus", "audio/webm", "audio/mp4",
                       "audio/ogg;codecs=opus", "audio/ogg", "audio/wav"];

  const button = (action) => find(`[data-action="${action}"]`);
  const chosen = (name) => {
    const input = find(`input[name="${name}"]:checked`);
    return input ? input.value : null;
  };

  // --- 1. the computer ---------------------------------------------------------------------

  function popupsAllowed() {
    try {
      const popup = window.open("about:blank", "_blank", "width=80,height=80");
      if (!popup) return false;
      popup.close();
      return true;
    } catch (error) {
      return false;
    }
  }

  function storageWorks() {
    try {
      localStorage.setItem("readiness-check", "1");
      localStorage.removeItem("readiness-check");
      return true;
    } catch (error) {
      return false;
    }
  }

  function audioFormats() {
    if (typeof MediaRecorder !== "function") return [];
    return AUDIO_TYPES.filter((type) => MediaRecorder.isTypeSupported(type));
  }

  function reportedConnection() {
    const type = navigator.connection && navigator.connection.type;
    return { ethernet: "wired", wifi: "wifi", cellular: "cellular" }[type] || null;
  }

  function describeDevice() {
    const device = {
      cores: navigator.hardwareConcurrency || 1,
      memory_gb: typeof navigator.deviceMemory === "number" ? navigator.deviceMemory : null,
      screen: [window.screen.width, window.screen.height],
      cookies: navigator.cookieEnabled,
      storage: storageWorks(),
      popups: popupsAllowed(),
      webrtc: typeof RTCPeerConnection === "function",
      media_recorder: typeof MediaRecorder === "function",
      audio_formats: audioFormats(),
    };
    const yes = (flag) => (flag ? "yes" : "no");
    const rows = [
      ["Browser", data.browser],
      ["Processor cores", String(device.cores)],
      ["Memory", device.memory_gb === null ? "not reported by this browser"
                                            : `${device.memory_gb} GB or more`],
      ["Screen", `${device.screen[0]} × ${device.screen[1]}`],
      ["Cookies and site storage", yes(device.cookies && device.storage)],
      ["Pop-up windows", device.popups ? "allowed" : "blocked"],
      ["Internet calls (WebRTC)", yes(device.webrtc)],
      ["Recording", device.audio_formats.length ? device.audio_formats.join(", ") : "not possible"],
    ];
    const list = find("[data-device-list]");
    list.replaceChildren();
    for (const [term, value] of rows) {
      const dt = document.createElement("dt");
      dt.className = "col-sm-4";
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.className = "col-sm-8";
      dd.textContent = value;
      list.append(dt, dd);
    }
    list.hidden = false;
    const reported = reportedConnection();
    const question = find("[data-connection-question]");
    question.hidden = false;
    if (reported) {
      const input = find(`input[name="connection"][value="${reported}"]`);
      input.checked = true;
      question.dataset.source = "browser";
    }
    question.addEventListener("change", () => { question.dataset.source = "asked"; });
    run.device = device;
    button("connection").disabled = false;
    button("microphone").disabled = false;
    updateSend();
  }

  // --- 2. the connection -------------------------------------------------------------------

  const progress = () => find("[data-connection-progress] progress");
  const status = (text) => { find("[data-connection-status]").textContent = text; };

  async function measureLatency() {
    const samples = [];
    const once = async () => {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), PING_TIMEOUT_MS);
      const started = performance.now();
      try {
        const response = await fetch(`${data.pingUrl}?t=${Date.now()}`, {
          cache: "no-store", credentials: "same-origin", signal: controller.signal });
        return response.ok ? performance.now() - started : null;
      } catch (error) {
        return null;
      } finally {
        clearTimeout(timer);
      }
    };
    await once();  // opens the connection; not counted
    for (let i = 0; i < PINGS; i += 1) {
      const ms = await once();
      samples.push(ms === null ? null : Math.max(0.1, Math.round(ms * 10) / 10));
      progress().value = 5 + (i + 1);
    }
    return samples;
  }

  let randomBody = null;
  function uploadBody() {
    if (!randomBody) {
      const megabyte = new Uint8Array(1024 * 1024);
      for (let offset = 0; offset < megabyte.length; offset += 65536) {
        crypto.getRandomValues(megabyte.subarray(offset, offset + 65536));
      }
      randomBody = new Blob(Array(UPLOAD.megabytes).fill(megabyte),
                            { type: "application/octet-stream" });
    }
    return randomBody;
  }

  // Parallel streams, each restarted when it ends, the bytes moved by all of them sampled every
  // SAMPLE_EVERY_MS; stops at maxMs, or earlier once enough bytes came after the warm-up.
  function measureTransfer(settings, open, label, progressFrom) {
    return new Promise((resolve) => {
      const samples = [];
      const requests = new Set();
      let moved = 0, stopped = false, atWarmup = null;
      const started = performance.now();

      const stream = () => {
        if (stopped) return;
        let counted = 0;
        const xhr = open((loaded) => { moved += loaded - counted; counted = loaded; });
        requests.add(xhr);
        const next = () => { requests.delete(xhr); setTimeout(stream, 0); };
        xhr.onload = next;
        xhr.onerror = next;
      };

      const tick = () => {
        const elapsed = performance.now() - started;
        samples.push([Math.round(elapsed), moved]);
        if (atWarmup === null && elapsed >= settings.warmupMs) atWarmup = [elapsed, moved];
        const recent = samples.length > 5 ? samples[samples.length - 6] : [0, 0];
        const mbps = ((moved - recent[1]) * 8) / ((elapsed - recent[0]) / 1000) / 1e6;
        status(`${label}: ${mbps.toFixed(1)} Mbps`);
        progress().value = progressFrom + Math.min(1, elapsed / settings.maxMs) * 40;
        const enough = atWarmup && elapsed - atWarmup[0] >= 2000
          && moved - atWarmup[1] >= settings.enoughBytes;
        if (elapsed >= settings.maxMs || enough) {
          stopped = true;
          clearInterval(timer);
          for (const xhr of requests) xhr.abort();
          resolve(samples);
        }
      };

      for (let i = 0; i < settings.streams; i += 1) setTimeout(stream, i * 100);
      const timer = setInterval(tick, SAMPLE_EVERY_MS);
    });
  }

  function downloadStream(onBytes) {
    const xhr = new XMLHttpRequest();
    xhr.open("GET", `${data.downUrl}?mb=${DOWNLOAD.megabytes}&t=${Date.now()}${Math.random()}`);
    xhr.responseType = "arraybuffer";
    xhr.onprogress = (event) => onBytes(event.loaded);
    xhr.send();
    return xhr;
  }

  function uploadStream(onBytes) {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${data.upUrl}?t=${Date.now()}${Math.random()}`);
    xhr.setRequestHeader("X-CSRFToken", data.csrf);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (event) => onBytes(event.loaded);
    xhr.send(uploadBody());
    return xhr;
  }

  function speedOf(samples, warmupMs) {
    const after = samples.filter(([ms]) => ms >= warmupMs);
    if (after.length < 2) return 0;
    const [[startMs, startBytes], [endMs, endBytes]] = [after[0], after[after.length - 1]];
    return ((endBytes - startBytes) * 8) / ((endMs - startMs) / 1000) / 1e6;
  }

  async function testConnection() {
    const go = button("connection");
    go.disabled = true;
    find("[data-connection-progress]").hidden = false;
    status("Latency: measuring…");
    run.latency = await measureLatency();
    run.download = await measureTransfer(DOWNLOAD, downloadStream, "Download", 15);
    run.upload = await measureTransfer(UPLOAD, uploadStream, "Upload", 55);
    progress().value = 100;
    const answered = run.latency.filter((ms) => ms !== null);
    status(`Download ${speedOf(run.download, DOWNLOAD.warmupMs).toFixed(1)} Mbps, upload `
           + `${speedOf(run.upload, UPLOAD.warmupMs).toFixed(1)} Mbps, latency `
           + (answered.length ? `${Math.min(...answered).toFixed(0)} ms` : "not measured")
           + ". The server checks these figures when you send them.");
    go.textContent = "Test my connection again";
    go.disabled = false;
    updateSend();
  }

  // --- 3. the microphone -------------------------------------------------------------------

  const microphoneStatus = (text) => { find("[data-microphone-status]").textContent = text; };

  function showProblem(state) {
    for (const alert of root.querySelectorAll("[data-microphone-problem]")) {
      alert.hidden = alert.dataset.microphoneProblem !== state;
    }
    run.microphone = state;
    run.noise = null;
    updateSend();
  }

  const wait = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

  function record(stream, ms) {
    return new Promise((resolve, reject) => {
      const type = audioFormats()[0];
      const recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
      const parts = [];
      recorder.ondataavailable = (event) => { if (event.data.size) parts.push(event.data); };
      recorder.onstop = () => resolve(new Blob(parts, { type: recorder.mimeType }));
      recorder.onerror = (event) => reject(event.error);
      recorder.start();
      setTimeout(() => recorder.stop(), ms);
    });
  }

  async function testMicrophone() {
    const go = button("microphone");
    go.disabled = true;
    showProblem(null);
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      showProblem("unsupported");
      go.disabled = false;
      return;
    }
    let stream;
    try {
      // Measured as it is: the browser's own processing would hide the room's noise.
      stream = await navigator.mediaDevices.getUserMedia({ audio: {
        echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    } catch (error) {
      showProblem(window.mediaDeviceProblem(error));
      go.textContent = "Try the microphone again";
      go.disabled = false;
      return;
    }
    const panel = find("[data-microphone-panel]");
    panel.hidden = false;
    const level = await window.startLevelMeter(stream, find("#mic-level"));
    try {
      microphoneStatus("Stay quiet for 3 seconds: measuring the background noise…");
      const noise = [];
      for (let i = 0; i < 30; i += 1) {
        await wait(100);
        noise.push(Math.round(level.now() * 10) / 10);
      }
      microphoneStatus("Now say a few words as if to a caller: recording 5 seconds…");
      const recording = await record(stream, 5000);
      const playback = find("[data-playback]");
      playback.src = URL.createObjectURL(recording);
      playback.hidden = false;
      run.noise = noise;
      run.microphone = "ok";
      microphoneStatus("Done. Play the recording back: you should hear yourself clearly, "
                       + "without hiss, echo or the room behind you.");
    } catch (error) {
      showProblem("error");
    } finally {
      level.stop();
      for (const track of stream.getTracks()) track.stop();
      go.textContent = "Test the microphone again";
      go.disabled = false;
      updateSend();
    }
  }

  // --- 4. send -----------------------------------------------------------------------------

  function missing() {
    const left = [];
    if (!run.device) left.push("check your computer");
    if (!chosen("connection")) left.push("say how you are connected");
    if (!run.download) left.push("test your connection");
    if (!run.microphone) left.push("test the microphone");
    if (!chosen("headset") || !chosen("cancelling")) left.push("answer the headset questions");
    return left;
  }

  function updateSend() {
    const left = missing();
    button("send").disabled = left.length > 0;
    find("[data-send-hint]").textContent = left.length
      ? `Still to do: ${left.join(", ")}.` : "Everything is measured: send your results.";
  }

  async function send() {
    const go = button("send");
    go.disabled = true;
    const result = find("[data-result]");
    result.textContent = "Sending…";
    const question = find("[data-connection-question]");
    const body = {
      device: run.device,
      latency: { samples: run.latency },
      download: { samples: run.download },
      upload: { samples: run.upload },
      microphone: run.microphone,
      noise: run.microphone === "ok" ? { samples: run.noise } : null,
      headset: { type: chosen("headset"), noise_cancelling: chosen("cancelling") === "yes" },
      connection: { type: chosen("connection"), source: question.dataset.source || "asked" },
    };
    try {
      const response = await fetch(data.runsUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": data.csrf,
                   Accept: "application/json" },
        body: JSON.stringify(body) });
      const answer = await response.json();
      if (response.status !== 201) {
        result.textContent = answer.error || "Your results could not be stored.";
        go.disabled = false;
        return;
      }
      result.textContent = `${answer.label}. Opening your results…`;
      window.location.assign(answer.results_url);
    } catch (error) {
      result.textContent = "Your results could not be sent: check the connection and try again.";
      go.disabled = false;
    }
  }

  button("device").addEventListener("click", describeDevice);
  button("connection").addEventListener("click", testConnection);
  button("microphone").addEventListener("click", testMicrophone);
  button("send").addEventListener("click", send);
  root.addEventListener("change", updateSend);
})();
