// tiermatch pages: the only script, vendored here. The pages work without it; it adds a print button.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".print-button").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
