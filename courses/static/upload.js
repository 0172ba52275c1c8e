// The package upload form (courses/upload.html) with a progress bar: the same multipart form,
// CSRF token included, posted with XMLHttpRequest because fetch() cannot report upload progress.
// Whatever page the server answers with (the course page after the redirect, the form with the
// problems, an error page) replaces this page's <main>, as a plain form post would show it.
// Without JavaScript the form posts as it is.
(function () {
  "use strict";
  const MB = 1024 * 1024;

  function megabytes(bytes) {
    return (bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0);
  }

  function show(doc, url) {
    const next = doc && doc.querySelector("main");
    if (!next) {
      window.location.assign(url);
      return;
    }
    document.title = doc.title;
    const main = document.querySelector("main");
    main.replaceWith(document.adoptNode(next));
    if (url && url !== window.location.href) window.history.replaceState(null, "", url);
    const form = next.querySelector("[data-course-upload]");
    if (form) bind(form);
    const first = next.querySelector("[data-error-summary], [data-import-problems]") || next;
    first.focus();
  }

  function bind(form) {
    const input = form.querySelector("input[type=file]");
    const button = form.querySelector("[type=submit]");
    const box = form.querySelector("[data-upload-progress]");
    const bar = box.querySelector("progress");
    const status = box.querySelector("[data-upload-status]");
    const limit = Number(form.dataset.maxBytes);

    function say(text, problem) {
      box.hidden = false;
      status.textContent = text;
      status.classList.toggle("text-danger", Boolean(problem));
    }

    form.addEventListener("submit", (event) => {
      const file = input.files && input.files[0];
      if (!file || !window.FormData) return; // the server says what is missing
      event.preventDefault();
      if (limit && file.size > limit) {
        say(`This file has ${megabytes(file.size)} MB; the portal takes packages up to ` +
            `${megabytes(limit)} MB. Make the package smaller (compress videos, remove unused ` +
            "files) and try again.", true);
        return;
      }
      const request = new XMLHttpRequest();
      let shown = -1;
      request.open("POST", form.action || window.location.href);
      request.setRequestHeader("Accept", "text/html"); // error pages as HTML, not JSON
      request.responseType = "document";
      request.upload.addEventListener("progress", (progress) => {
        if (!progress.lengthComputable) return;
        bar.value = Math.round((progress.loaded / progress.total) * 100);
        const tens = Math.floor(bar.value / 10); // the live region speaks every 10 %, not more
        if (tens !== shown) {
          shown = tens;
          say(`Uploading: ${bar.value} % (${megabytes(progress.loaded)} of ` +
              `${megabytes(progress.total)} MB)`);
        }
      });
      request.upload.addEventListener("load", () => {
        bar.value = 100;
        say("Uploaded. Checking and importing the package; this can take a minute for a " +
            "large one.");
      });
      request.addEventListener("load", () => show(request.response, request.responseURL));
      request.addEventListener("error", () => {
        button.disabled = false;
        say("The upload stopped: the connection was lost. Check it and upload again.", true);
      });
      button.disabled = true;
      bar.value = 0;
      say("Uploading: 0 %");
      request.send(new FormData(form));
    });
  }

  const form = document.querySelector("[data-course-upload]");
  if (form) bind(form);
})();
