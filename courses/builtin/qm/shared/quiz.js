// The quiz SCO (05-quiz.html): its questions are the page's fieldsets (data-question: the
// interaction's id, data-type: choice or true-false, data-correct: the correct answer's value),
// each followed by its explanation (data-explanation). The pages are run by shared/pages.js,
// which keeps the answers so far in cmi.suspend_data and the page in cmi.location.
//
// On submitting, each question is reported as cmi.interactions.n (id, type, description,
// correct response, learner response, result, weighting, timestamp, latency), then the score
// (raw, min, max, scaled), success against the passing score (cmi.scaled_passing_score, which
// the LMS takes from the manifest's minNormalizedMeasure; 0.8 without one), the primary
// objective's score and status, and completion. The learner sees the result and, for each
// question missed, the right answer and why.
(function () {
  "use strict";
  const scorm = window.QmScorm;
  const DEFAULT_PASSING = 0.8;
  const PRIMARY_OBJECTIVE = "qm_quiz_mastery"; // the manifest's primary objective of the quiz
  const DESCRIPTION_MAX = 250; // cmi.interactions.n.description's smallest permitted maximum

  const text = (element) => (element ? element.textContent.replace(/\s+/g, " ").trim() : "");

  const questions = [...document.querySelectorAll("fieldset[data-question]")].map(
    (fieldset, index) => {
      const section = fieldset.closest("section[data-page]");
      return {
        id: fieldset.dataset.question,
        type: fieldset.dataset.type,
        correct: fieldset.dataset.correct,
        number: index + 1,
        page: section.dataset.page,
        fieldset,
        inputs: [...fieldset.querySelectorAll("input[type=radio]")],
        text: text(fieldset.querySelector("legend")),
        explanation: text(section.querySelector("[data-explanation]")),
      };
    });
  const byId = new Map(questions.map((question) => [question.id, question]));
  const review = document.querySelector("[data-review]");
  const missingLine = document.querySelector("[data-missing]");
  const outcome = document.querySelector("[data-outcome]");
  const missedList = document.querySelector("[data-missed]");
  const retake = document.querySelector("[data-retake]");
  const lastResult = document.querySelector("[data-last-result]");

  let answers = {}; // question id -> {r: value, t: timestamp shown, l: latency in seconds}
  let submitted = false;
  const shownAt = {}; // question id -> when its page was last shown in this session (ms)
  const firstShown = {}; // question id -> timestamp of its first showing (SCORM format)

  function labelOf(question, value) {
    const input = question.inputs.find((candidate) => candidate.value === value);
    return input ? text(document.querySelector(`label[for="${input.id}"]`)) : "";
  }

  const answered = () => questions.filter((question) => answers[question.id]);

  function lockInputs(locked) {
    questions.forEach((question) => question.inputs.forEach((input) => {
      input.disabled = locked;
    }));
  }

  function element(tag, content, className) {
    const made = document.createElement(tag);
    if (content) made.textContent = content;
    if (className) made.className = className;
    return made;
  }

  // --- pages -----------------------------------------------------------------------------

  function renderReview() {
    review.replaceChildren(...questions.map((question) => {
      const item = element("li");
      const link = element("a", question.text);
      link.href = `#${question.page}`;
      link.dataset.go = question.page;
      const answer = answers[question.id];
      item.append(link, element("br"),
        element("span", answer ? `Your answer: ${labelOf(question, answer.r)}`
          : "Not answered yet"));
      return item;
    }));
    missingLine.hidden = true;
  }

  function score() {
    const correct = questions.filter((question) => answers[question.id]
      && answers[question.id].r === question.correct).length;
    return { correct, total: questions.length, scaled: correct / questions.length };
  }

  function passingScore() {
    const written = scorm.get("cmi.scaled_passing_score");
    const number = written === "" ? NaN : Number(written);
    return Number.isFinite(number) ? number : DEFAULT_PASSING;
  }

  const percent = (share) => `${Math.round(share * 100)}\u00a0%`; // never split over lines

  function renderResults() {
    const { correct, total, scaled } = score();
    const passing = passingScore();
    const passed = scaled >= passing;
    const box = element("div", "", `result ${passed ? "passed" : "failed"}`);
    box.append(
      element("p", passed ? "You passed" : "Not passed yet", "result-title"),
      element("p", `You answered ${correct} of ${total} questions correctly (${percent(scaled)}). ` +
        `The pass mark is ${percent(passing)}.`));
    const next = passed
      ? "You have finished the course. Choose Exit in the course bar above to go back to your " +
        "courses."
      : "Read the explanations below, look again at the lessons if you like (they are in the " +
        "course's contents), then take the quiz again.";
    outcome.replaceChildren(box, element("p", next));
    const missed = questions.filter((question) => answers[question.id].r !== question.correct);
    if (!missed.length) {
      missedList.replaceChildren(element("p", "You answered every question correctly."));
    } else {
      missedList.replaceChildren(element("h2", "Questions to review"), ...missed.map((question) => {
        const block = element("div", "", "missed");
        block.append(
          element("h3", `Question ${question.number}: ${question.text}`),
          element("p", `Your answer: ${labelOf(question, answers[question.id].r)}`),
          element("p", `Correct answer: ${labelOf(question, question.correct)}`),
          element("p", question.explanation));
        return block;
      }));
    }
    retake.hidden = passed;
  }

  function renderIntro() {
    const status = scorm.get("cmi.success_status");
    const scaled = scorm.get("cmi.score.scaled");
    if (submitted || scaled === "" || !["passed", "failed"].includes(status)) {
      lastResult.hidden = true;
      return;
    }
    lastResult.textContent = `Your last result: ${percent(Number(scaled))}, ` +
      (status === "passed" ? "passed. You may take the quiz again to practise."
        : "not passed yet. Take the quiz again to pass.");
    lastResult.hidden = false;
  }

  function onShow(section, id) {
    const question = questions.find((candidate) => candidate.page === id);
    if (question) {
      shownAt[question.id] = Date.now();
      if (!firstShown[question.id]) firstShown[question.id] = scorm.timestamp();
    } else if (id === "review") {
      renderReview();
    } else if (id === "results") {
      if (submitted) renderResults();
    } else if (id === "intro") {
      renderIntro();
    }
  }

  // --- answering and submitting ----------------------------------------------------------

  let pages = null;

  questions.forEach((question) => {
    question.fieldset.addEventListener("change", (event) => {
      if (submitted || !event.target.matches("input[type=radio]")) return;
      const since = shownAt[question.id];
      answers[question.id] = {
        r: event.target.value,
        t: firstShown[question.id] || scorm.timestamp(),
        l: since ? Math.round((Date.now() - since) / 10) / 100 : null,
      };
      pages.save(); // the answers so far, committed
    });
  });

  function objectiveIndex() {
    const count = Number(scorm.get("cmi.objectives._count")) || 0;
    for (let n = 0; n < count; n += 1) {
      if (scorm.get(`cmi.objectives.${n}.id`) === PRIMARY_OBJECTIVE) return n;
    }
    return scorm.set(`cmi.objectives.${count}.id`, PRIMARY_OBJECTIVE) ? count : -1;
  }

  function report() {
    questions.forEach((question, n) => {
      const answer = answers[question.id];
      const prefix = `cmi.interactions.${n}.`;
      scorm.set(prefix + "id", question.id);
      scorm.set(prefix + "type", question.type);
      scorm.set(prefix + "description", [...question.text].slice(0, DESCRIPTION_MAX).join(""));
      scorm.set(prefix + "weighting", "1");
      scorm.set(prefix + "correct_responses.0.pattern", question.correct);
      scorm.set(prefix + "learner_response", answer.r);
      scorm.set(prefix + "result", answer.r === question.correct ? "correct" : "incorrect");
      if (answer.t) scorm.set(prefix + "timestamp", answer.t);
      if (typeof answer.l === "number") {
        scorm.set(prefix + "latency", scorm.duration(answer.l * 1000));
      }
    });
    const { correct, total, scaled } = score();
    const success = scaled >= passingScore() ? "passed" : "failed";
    scorm.set("cmi.score.min", "0");
    scorm.set("cmi.score.max", String(total));
    scorm.set("cmi.score.raw", String(correct));
    scorm.set("cmi.score.scaled", String(Math.round(scaled * 10000) / 10000));
    scorm.set("cmi.success_status", success);
    const objective = objectiveIndex();
    if (objective >= 0) {
      const prefix = `cmi.objectives.${objective}.`;
      scorm.set(prefix + "score.scaled", String(Math.round(scaled * 10000) / 10000));
      scorm.set(prefix + "success_status", success);
      scorm.set(prefix + "completion_status", "completed");
    }
  }

  document.querySelector("[data-submit]").addEventListener("click", () => {
    const missing = questions.filter((question) => !answers[question.id]);
    if (missing.length) {
      missingLine.textContent = `Answer every question before you submit: ${missing.length === 1
        ? "question" : "questions"} ${missing.map((question) => question.number).join(", ")} ` +
        `${missing.length === 1 ? "is" : "are"} not answered yet.`;
      missingLine.hidden = false;
      return;
    }
    submitted = true;
    lockInputs(true);
    report();
    pages.go("results"); // saves: completion, progress, exit "normal", then commits
  });

  retake.addEventListener("click", () => {
    answers = {};
    submitted = false;
    Object.keys(firstShown).forEach((id) => delete firstShown[id]); // new timestamps too
    questions.forEach((question) => question.inputs.forEach((input) => {
      input.checked = false;
    }));
    lockInputs(false);
    pages.go(questions[0].page);
  });

  pages = window.QmPages.start({
    save: () => ({ answers, submitted }),
    restore(data) {
      const saved = data.answers && typeof data.answers === "object" ? data.answers : {};
      answers = {};
      Object.keys(saved).forEach((id) => {
        const question = byId.get(id);
        const answer = saved[id];
        if (!question || !answer || !question.inputs.some((input) => input.value === answer.r)) {
          return;
        }
        answers[id] = { r: answer.r, t: typeof answer.t === "string" ? answer.t : "",
                        l: typeof answer.l === "number" ? answer.l : null };
        if (answers[id].t) firstShown[id] = answers[id].t;
        question.inputs.forEach((input) => {
          input.checked = input.value === answer.r;
        });
      });
      submitted = data.submitted === true && answered().length === questions.length;
      lockInputs(submitted);
    },
    progress: () => (submitted ? 1 : answered().length / questions.length),
    done: () => submitted,
    // The results page only once submitted: otherwise the answers, to check and submit.
    landing: (bookmark) => (bookmark === "results" && !submitted ? "review" : bookmark),
    onShow,
  });
})();
