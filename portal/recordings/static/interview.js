// The one-way interview's page: a device check (camera preview, microphone level, what to do
// when the browser refuses), then one question at a time: the question shows with its think
// time counting down, the recording starts by itself when it ends (or at "Start recording
// now"), and stops at Stop or at the answer's limit; take_uploads.js uploads it while it is
// recorded. A saved answer plays back; recording it again takes a confirmation first.
(() => {
  "use strict";
  const root = document.getElementById("interview");
  if (!root || root.hasAttribute("data-closed")) return;
  const data = root.dataset;
  const video = data.kind === "video";
  const check = document.getElementById("device-check");
  const cards = [...root.querySelectorAll("[data-prompt]")];
  const mediaUrl = (take) => data.mediaUrl.replace("/0/", `/${take}/`);
  const cardOf = (prompt) => cards.find((card) => card.dataset.prompt === prompt);
  const part = (card, name) => card.querySelector(`[data-${name}]`);
  const button = (scope, action) => scope.querySelector(`[data-action="${action}"]`);
  const say = (card, text) => { part(card, "status-text").textContent = text; };
  const clock = (seconds) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  const answered = (card) => ["ready", "uploaded", "uploading"].includes(card.dataset.status);

  // --- the devices ---------------------------------------------------------------------------

  let stream = null;
  let level = null;
  const deviceStatus = (text) => { part(check, "device-status").textContent = text; };

  async function turnOn() {
    const go = button(check, "devices");
    go.disabled = true;
    try {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        throw Object.assign(new Error("unsupported"), { name: "unsupported" });
      }
      stream = await navigator.mediaDevices.getUserMedia(
        { audio: true, video: video ? { width: { ideal: 1280 }, height: { ideal: 720 } } : false });
    } catch (error) {
      const problem = error.name === "unsupported" ? "unsupported"
        : window.mediaDeviceProblem(error);
      deviceStatus(data[`problem${problem[0].toUpperCase()}${problem.slice(1)}`]);
      go.textContent = "Try again";
      go.disabled = false;
      return;
    }
    if (video) {
      const preview = part(check, "preview");
      preview.srcObject = stream;
      preview.play().catch(() => {});
    }
    level = await window.startLevelMeter(stream, check.querySelector("meter"));
    deviceStatus(video ? "Your camera and microphone are on. Check that you can see your face "
                         + "and that the level moves when you speak."
                       : "Your microphone is on. Check that the level moves when you speak.");
    go.hidden = true;
    button(check, "begin").disabled = false;
  }

  function begin() {
    if (level) level.stop();
    level = null;
    check.hidden = true;
    const current = cards.find((card) => !answered(card)) || cards[0];
    button(current, answered(current) ? "again" : "show").focus();
  }

  // --- which questions show ------------------------------------------------------------------

  // Answered questions, and the first one not answered yet; the finish once all are.
  function arrange() {
    let next = true;
    for (const card of cards) {
      card.hidden = !answered(card) && !next;
      if (!answered(card)) next = false;
    }
    root.querySelector("[data-finished]").hidden = !cards.every(
      (card) => card.dataset.status === "ready");
  }

  function needsDevices(card) {
    if (stream) return false;
    say(card, "First turn on your camera and microphone at the top of the page.");
    check.hidden = false;
    button(check, "devices").focus();
    return true;
  }

  // --- one answer: think, record, save -------------------------------------------------------

  function controls(card, shown) {
    for (const action of ["show", "record-now", "stop", "again", "next"]) {
      const element = button(card, action);
      element.hidden = !shown.includes(action);
    }
  }

  function think(card) {
    if (needsDevices(card)) return;
    part(card, "question").hidden = false;
    const spoken = part(card, "spoken");
    if (spoken) {  // the question read aloud, started by the candidate's click
      spoken.hidden = false;
      spoken.currentTime = 0;
      spoken.play().catch(() => {});
    }
    part(card, "player").hidden = true;
    part(card, "player").removeAttribute("src");
    const countdown = part(card, "countdown");
    let left = Number(card.dataset.thinkSeconds);
    if (left <= 0) {
      record(card);
      return;
    }
    controls(card, ["record-now"]);
    say(card, `Think time: ${left} seconds. The recording starts by itself when it ends.`);
    countdown.hidden = false;
    countdown.textContent = `Think ${clock(left)}`;
    const timer = setInterval(() => {
      left -= 1;
      countdown.textContent = `Think ${clock(Math.max(0, left))}`;
      if (left <= 0) go();
    }, 1000);
    const go = () => {
      clearInterval(timer);
      record(card);
    };
    button(card, "record-now").onclick = go;
    button(card, "record-now").focus();
  }

  async function record(card) {
    const spoken = part(card, "spoken");
    if (spoken) spoken.pause();  // the microphone must not record the question
    const countdown = part(card, "countdown");
    const live = part(card, "live");
    controls(card, []);
    let recording;
    try {
      recording = await uploads.record(
        card.dataset.prompt, stream, Number(card.dataset.maxSeconds),
        (left) => { countdown.textContent = `Recording ${clock(left)} left`; });
    } catch (error) {
      countdown.hidden = true;
      say(card, error.message);
      controls(card, card.dataset.take ? ["again"] : ["show"]);
      return;
    }
    const left = Number(card.dataset.left) - 1;
    card.dataset.left = left;
    part(card, "tries").textContent = `${left} tr${left === 1 ? "y" : "ies"} left`;
    if (video) {
      live.srcObject = stream;
      live.hidden = false;
      live.play().catch(() => {});
    }
    countdown.hidden = false;
    say(card, `Recording. Up to ${card.dataset.maxSeconds} seconds; press Stop when you are done.`);
    controls(card, ["stop"]);
    button(card, "stop").onclick = recording.stop;
    button(card, "stop").focus();
    await recording.stopped;
    countdown.hidden = true;
    live.hidden = true;
    live.srcObject = null;
    controls(card, []);
  }

  function show(card, take, answer) {
    card.dataset.take = take;
    card.dataset.status = answer.status;
    const player = part(card, "player");
    const canRetry = Number(card.dataset.left) > 0;
    if (answer.status === "ready") {
      say(card, "Saved. Watch it back below; record it again if you want to.");
      player.src = mediaUrl(take);
      player.hidden = false;
      controls(card, canRetry ? ["again", "next"] : ["next"]);
    } else if (answer.status === "failed") {
      say(card, `This recording could not be used: ${answer.failure} Please record it again.`);
      controls(card, ["again"]);
    }
    arrange();
  }

  const uploads = window.takeUploads(data, {
    status: (prompt, text) => { const card = cardOf(prompt); if (card) say(card, text); },
    result: (prompt, take, answer) => {
      const card = cardOf(prompt);
      if (card) show(card, take, answer);
    },
  });

  // --- wiring ----------------------------------------------------------------------------------

  button(check, "devices").addEventListener("click", turnOn);
  button(check, "begin").addEventListener("click", begin);
  for (const card of cards) {
    button(card, "show").addEventListener("click", () => think(card));
    button(card, "again").addEventListener("click", () => {
      if (card.dataset.status === "failed") {
        think(card);
        return;
      }
      part(card, "confirm").hidden = false;
      button(card, "confirm-again").focus();
    });
    button(card, "confirm-again").addEventListener("click", () => {
      part(card, "confirm").hidden = true;
      think(card);
    });
    button(card, "keep").addEventListener("click", () => {
      part(card, "confirm").hidden = true;
      button(card, "again").focus();
    });
    button(card, "next").addEventListener("click", () => {
      const after = cards[cards.indexOf(card) + 1];
      arrange();
      if (after && !after.hidden) {
        after.scrollIntoView({ block: "start" });
        button(after, answered(after) ? "next" : "show").focus();
      } else {
        root.querySelector("[data-finished] a").focus();
      }
    });
  }
  arrange();
  uploads.resume().then((resumed) => {
    for (const card of cards) {
      const take = Number(card.dataset.take);
      if (card.dataset.status === "uploaded") {
        uploads.watch(card.dataset.prompt, take);
      } else if (card.dataset.status === "uploading" && !resumed.has(take)) {
        card.dataset.status = "failed";
        say(card, "This answer did not finish saving from this browser. Please record it "
                  + "again.");
        controls(card, ["again"]);
      }
    }
    arrange();
  });
})();
