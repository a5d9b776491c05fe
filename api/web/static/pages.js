// tiermatch pages: the only script, vendored here. The pages work without it; it adds a print button and
// follows a running run's progress (polled every two seconds; the page reloads once, when the run ends).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".print-button").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var progress = document.getElementById("run-progress");
  if (progress && progress.dataset.poll && window.fetch) {
    var poll = function () {
      fetch(progress.dataset.poll, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) { return; }
          if (state.status !== "queued" && state.status !== "running") { window.location.reload(); return; }
          document.getElementById("run-stage").textContent = state.label;
          var bar = document.getElementById("run-progress-bar");
          bar.max = state.total || 1;
          bar.value = state.done;
          bar.textContent = state.percent + "%";
          document.getElementById("run-progress-text").textContent = state.text;
          window.setTimeout(poll, 2000);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 2000);
  }
});
