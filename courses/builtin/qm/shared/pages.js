// The pages of one SCO: each <section data-page="id"> is a page, shown one at a time with the
// Back and Next buttons of <nav data-pager>. Without script every page shows, one after the
// other, and the lesson still reads well.
//
// What the LMS is told (through QmScorm, shared/scorm.js):
// - cmi.location: the id of the page shown (the bookmark);
// - cmi.suspend_data: JSON {"v": 1, "seen": [page ids], ...what the SCO adds (the quiz's
//   answers)}, so a resumed session (cmi.entry "resume") comes back to the same page with the
//   same answers;
// - cmi.progress_measure: the share of the pages seen (or what the SCO says), never lowered;
// - cmi.completion_status: "completed" once the SCO says it is done (a lesson: its last page
//   was reached), "incomplete" before;
// - cmi.exit: "suspend" from the start, so a window closed in the middle resumes; "normal"
//   once done.
// Every page turn is committed. A [data-continue] button (a lesson's last page) asks the LMS to
// go on to the next item (adl.nav.request "continue") and ends the session.
//
// QmPages.start(options) runs the pages; every option may be left out:
//   save() -> object            more to keep in suspend_data
//   restore(data, resumed)      data: the suspend_data read back ({} on a fresh start)
//   progress(seen, total)       0..1, default seen / total
//   done(seen, ids)             default: the last page was seen
//   onShow(section, id)         after a page is shown
//   landing(bookmark) -> id     the page to resume on (default: the bookmark)
// It returns {go(id, focus), save(), current(), ids}. A lesson's page (<body data-lesson>)
// is started with no options as soon as this script runs (it is loaded with defer).
(function () {
  "use strict";
  const scorm = window.QmScorm;

  function start(options) {
    const opts = options || {};
    const sections = [...document.querySelectorAll("section[data-page]")];
    const ids = sections.map((section) => section.dataset.page);
    const pager = document.querySelector("[data-pager]");
    const back = pager.querySelector("[data-back]");
    const next = pager.querySelector("[data-next]");
    const where = pager.querySelector("[data-where]");
    const saveLine = document.querySelector("[data-save-status]");
    const seen = new Set();
    let at = 0;
    let started = false;
    let wasCompleted = false;
    let bestProgress = 0;

    const done = () => (opts.done ? opts.done(seen, ids) : seen.has(ids[ids.length - 1]));
    const progress = () => (opts.progress ? opts.progress(seen, ids.length)
      : seen.size / ids.length);

    function say(text) {
      if (saveLine.textContent !== text) saveLine.textContent = text;
    }

    function save() {
      if (!started) return;
      const data = Object.assign({ v: 1, seen: ids.filter((id) => seen.has(id)) },
        opts.save ? opts.save() : {});
      scorm.set("cmi.location", ids[at]);
      scorm.set("cmi.suspend_data", JSON.stringify(data));
      bestProgress = Math.max(bestProgress, Math.min(1, Math.max(0, progress())));
      scorm.set("cmi.progress_measure", String(Math.round(bestProgress * 10000) / 10000));
      if (done()) {
        scorm.set("cmi.completion_status", "completed");
        scorm.set("cmi.exit", "normal");
        wasCompleted = true; // completed stays completed (a quiz taken again, say)
      } else {
        if (!wasCompleted) scorm.set("cmi.completion_status", "incomplete");
        scorm.set("cmi.exit", "suspend");
      }
      scorm.commit();
    }

    function show(index, focus) {
      at = Math.max(0, Math.min(ids.length - 1, index));
      const section = sections[at];
      sections.forEach((other, position) => {
        other.hidden = position !== at;
      });
      seen.add(ids[at]);
      back.hidden = at === 0 || section.dataset.back === "false";
      next.hidden = at === ids.length - 1 || section.dataset.next === "false";
      where.textContent = `Page ${at + 1} of ${ids.length}`;
      if (opts.onShow) opts.onShow(section, ids[at]);
      save();
      if (focus) {
        const heading = section.querySelector("h1, h2");
        if (heading) {
          heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
        window.scrollTo(0, 0);
      }
    }

    function go(id, focus) {
      const index = ids.indexOf(id);
      if (index >= 0) show(index, focus !== false);
    }

    back.addEventListener("click", () => show(at - 1, true));
    // "Go on to the next lesson": the LMS is asked to continue, and this session ends.
    document.querySelectorAll("[data-continue]").forEach((button) => {
      button.addEventListener("click", () => {
        save();
        scorm.set("adl.nav.request", "continue");
        scorm.finish();
      });
    });
    next.addEventListener("click", () => show(at + 1, true));
    // Links between pages of this SCO (href="#page-id") turn the page instead of scrolling.
    document.addEventListener("click", (event) => {
      const link = event.target.closest("a[data-go]");
      if (!link) return;
      event.preventDefault();
      go(link.dataset.go, true);
    });

    scorm.onCommit((ok) => {
      say(ok ? "" : "Your progress could not be saved just now. Keep this page open: it is " +
        "sent again with your next step.");
    });

    const connected = scorm.start();
    let data = {};
    let resumed = false;
    if (connected) {
      started = true;
      wasCompleted = scorm.get("cmi.completion_status") === "completed";
      bestProgress = Number(scorm.get("cmi.progress_measure")) || 0;
      if (scorm.get("cmi.entry") === "resume") {
        try {
          const parsed = JSON.parse(scorm.get("cmi.suspend_data") || "{}");
          if (parsed && typeof parsed === "object" && parsed.v === 1) {
            data = parsed;
            resumed = true;
          }
        } catch (error) {
          data = {};
        }
      }
    } else {
      document.querySelector("[data-offline]").hidden = false;
    }
    (Array.isArray(data.seen) ? data.seen : []).forEach((id) => {
      if (ids.includes(id)) seen.add(id);
    });
    if (opts.restore) opts.restore(data, resumed);
    document.documentElement.classList.add("paged");
    pager.hidden = false;
    let bookmark = resumed ? scorm.get("cmi.location") : "";
    if (opts.landing) bookmark = opts.landing(bookmark);
    show(ids.includes(bookmark) ? ids.indexOf(bookmark) : 0, false);
    if (resumed && at > 0) say("Welcome back: you are on the page where you left off.");

    return { go, save, current: () => ids[at], ids };
  }

  window.QmPages = { start };
  // A lesson (<body data-lesson>) needs nothing more; the quiz starts its pages itself.
  if (document.body.hasAttribute("data-lesson")) start();
})();
