// The error summary of a refused form (forms.html: error_summary): focused when the page loads, so
// a screen reader reads the problems first and the keyboard starts there; each of its links moves
// focus to its field and scrolls the field's label (or its group's legend) into view.
(function () {
  "use strict";
  const summary = document.querySelector("[data-error-summary]");
  if (!summary) return;

  function labelOf(input) {
    const group = input.closest(".checkbox-group");
    if (group) return group.querySelector("legend") || group;
    return (input.labels && input.labels[0]) || input;
  }

  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    if (!link) return;
    const input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!input) return;
    event.preventDefault();
    labelOf(input).scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
  });

  summary.focus();
})();
