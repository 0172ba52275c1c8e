// Pipeline bulk selection: "select all", a live count, and the submit button's state.
(function () {
  const form = document.getElementById("bulk-form");
  if (!form) return;
  const all = document.getElementById("select-all");
  const rows = Array.from(form.querySelectorAll(".row-select"));
  const count = document.getElementById("selected-count");
  const submit = document.getElementById("bulk-submit");

  function refresh() {
    const selected = rows.filter((box) => box.checked).length;
    count.textContent = selected + " selected";
    submit.disabled = selected === 0;
    all.checked = selected > 0 && selected === rows.length;
    all.indeterminate = selected > 0 && selected < rows.length;
  }
  all.addEventListener("change", () => { rows.forEach((box) => { box.checked = all.checked; }); refresh(); });
  rows.forEach((box) => box.addEventListener("change", refresh));
  refresh();
})();
