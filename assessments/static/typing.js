// The typing test: paste, drop and the context menu are switched off and each try is reported;
// the text is saved every few seconds and when the candidate finishes or the clock runs out.
// The server measures speed and accuracy from its own clock and passage, not from this page.
(function () {
  "use strict";
  const root = document.getElementById("typing-test");
  if (!root) return;
  const form = root.querySelector("[data-typing-form]");
  const box = form.querySelector("textarea");
  const message = root.querySelector("[data-typing-message]");
  const announce = root.querySelector("[data-announce]");
  const csrf = form.querySelector("input[name=csrf_token]").value;
  let lastSent = box.value;
  let finished = false;

  function post(url, fields) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: new URLSearchParams(fields),
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
    });
  }

  let lastPaste = 0;
  function refuse(event) {
    event.preventDefault();
    message.textContent = "Pasting is switched off in the typing test.";
    message.classList.remove("d-none");
    if (Date.now() - lastPaste > 2000) {
      lastPaste = Date.now();
      post(root.dataset.signalUrl, { kind: "paste" }).catch(() => {});
    }
  }
  for (const kind of ["paste", "drop", "contextmenu"]) box.addEventListener(kind, refuse);
  box.addEventListener("beforeinput", (event) => {
    if (event.inputType === "insertFromPaste" || event.inputType === "insertFromDrop") {
      refuse(event);
    }
  });

  function save(final) {
    if (finished) return Promise.resolve();
    if (!final && box.value === lastSent) return Promise.resolve();
    const typed = box.value;
    return post(root.dataset.saveUrl, { typed, final: final ? "1" : "0", tab: root.dataset.tab })
      .then(async (response) => {
        const data = await response.json().catch(() => ({}));
        if (response.ok) { lastSent = typed; }
        if (final || response.status === 409) {
          finished = true;
          window.location.assign(root.dataset.reviewUrl);
        } else if (!response.ok) {
          message.textContent = data.error || "Your typing could not be saved.";
          message.classList.remove("d-none");
        }
      }).catch(() => { /* saved on the next round */ });
  }
  setInterval(() => save(false), 3000);
  form.addEventListener("submit", (event) => { event.preventDefault(); save(true); });

  const face = root.querySelector("[data-clock]");
  const endsAt = performance.now() + Number(root.dataset.remaining) * 1000;
  (function tick() {
    const left = Math.max(0, Math.round((endsAt - performance.now()) / 1000));
    face.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    face.parentElement.classList.toggle("is-low", left <= 10);
    if (left === 10) announce.textContent = "10 seconds left.";
    if (left === 0) {
      announce.textContent = "Time is up.";
      box.readOnly = true;
      save(true);
      return;
    }
    setTimeout(tick, 250);
  })();
  box.focus();
})();
