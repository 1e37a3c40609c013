// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Ask before destructive actions: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // A double click submits once: disable the buttons of a form that is on its way.
    if (!event.defaultPrevented && !form.hasAttribute("hx-post")) {
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      }, 0);
    }
  }, true);
})();

// The score sheet's live total: <form data-live-total> sums its inputs with data-points into
// [data-total-output]. The server checks every score again; this only saves a trip.
(function () {
  "use strict";
  function update(form) {
    var total = 0, any = false, bad = false;
    form.querySelectorAll("input[data-points]").forEach(function (input) {
      var text = input.value.trim();
      if (!text) { return; }
      var value = Number(text);
      if (!/^\d+(\.\d)?$/.test(text) || value > Number(input.getAttribute("data-points"))) { bad = true; return; }
      total += Math.round(value * 10);
      any = true;
    });
    var output = form.querySelector("[data-total-output]") || document.querySelector("[data-total-output]");
    if (output) { output.textContent = bad ? "?" : (any ? (total / 10).toString() : "—"); }
  }
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-live-total]");
    if (form) { update(form); }
  });
  // Submitting a sheet locks it: ask once.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-confirm-submit]");
    if (button && !window.confirm(button.getAttribute("data-confirm-submit"))) { event.preventDefault(); }
  }, true);
})();
