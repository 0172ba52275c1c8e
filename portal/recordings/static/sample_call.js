// The sample call's page: each turn of the customer is answered in a recording of its own
// (take_uploads.js records and uploads it), recorded again at will within the turn's tries.
(() => {
  "use strict";
  const root = document.getElementById("recorder");
  if (!root || root.hasAttribute("data-closed")) return;
  const data = root.dataset;
  const mediaUrl = (take) => data.mediaUrl.replace("/0/", `/${take}/`);
  const cardOf = (prompt) => root.querySelector(`[data-prompt="${prompt}"]`);
  const say = (card, text) => { card.querySelector("[data-status-text]").textContent = text; };

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

  const uploads = window.takeUploads(data, {
    status: (prompt, text) => { const card = cardOf(prompt); if (card) say(card, text); },
    result: (prompt, take, answer) => {
      const card = cardOf(prompt);
      if (card) show(card, take, answer);
    },
  });

  let media = null;
  async function microphone() {
    if (!media) media = await navigator.mediaDevices.getUserMedia({ audio: true });
    return media;
  }

  async function record(card) {
    const again = card.dataset.take && card.dataset.status !== "failed";
    if (again && !window.confirm("Record this turn again? The new recording replaces the one "
                                 + "saved once it is complete.")) return;
    let stream;
    try {
      stream = await microphone();
    } catch (error) {
      const problem = window.mediaDeviceProblem(error);
      say(card, data[`problem${problem[0].toUpperCase()}${problem.slice(1)}`]
                || "The microphone could not be started.");
      return;
    }
    const buttons = { record: card.querySelector('[data-action="record"]'),
                      stop: card.querySelector('[data-action="stop"]') };
    let recording;
    try {
      recording = await uploads.record(card.dataset.prompt, stream,
                                       Number(card.dataset.maxSeconds),
                                       (left) => say(card, `Recording… ${left} s left.`));
    } catch (error) {
      say(card, error.message);
      return;
    }
    card.dataset.left = Number(card.dataset.left) - 1;
    buttons.stop.onclick = recording.stop;
    recording.stopped.then(() => { buttons.stop.hidden = true; });
    buttons.record.disabled = true;
    buttons.stop.hidden = false;
    buttons.stop.focus();
  }

  for (const button of root.querySelectorAll('[data-action="record"]')) {
    button.addEventListener("click", () => record(button.closest("[data-prompt]")));
  }
  uploads.resume().then((resumed) => {
    for (const card of root.querySelectorAll("[data-take]")) {
      const take = Number(card.dataset.take);
      if (card.dataset.status === "uploaded") {  // being processed: show it when ready
        uploads.watch(card.dataset.prompt, take);
      } else if (card.dataset.status === "uploading" && !resumed.has(take)) {
        say(card, "This recording did not finish saving from this browser. Please record it "
                  + "again.");
      }
    }
  });
})();
