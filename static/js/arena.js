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
  // Each loaded page is one editor of its sheet (review.sheets._claim): the page, not the server,
  // makes its token, so two tabs never share one even when the server sends a kept page again.
  function token() {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function claimEditors(root) {
    root.querySelectorAll('input[name="editor"]').forEach(function (input) {
      if (!input.value) { input.value = token(); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { claimEditors(document); });
  } else {
    claimEditors(document);
  }
  document.addEventListener("htmx:load", function (event) { claimEditors(event.target); });
  // Submitting a sheet locks it: ask once.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-confirm-submit]");
    if (button && !window.confirm(button.getAttribute("data-confirm-submit"))) { event.preventDefault(); }
  }, true);
})();

// People pickers (templates/units/_picker.html): a match is a button that puts its code into the
// input; arrow keys move between the input and the matches, Escape closes the list. Without this
// file the matches never show and the code is typed by hand.
(function () {
  "use strict";
  function options(results) { return Array.prototype.slice.call(results.querySelectorAll(".picker-option")); }
  function resultsOf(input) { return document.getElementById(input.id + "-results"); }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-pick-value]");
    if (!button) {  // a click elsewhere closes open lists
      document.querySelectorAll(".picker-results").forEach(function (results) {
        if (!results.parentNode.contains(event.target) && results.querySelector(".picker-option")) { results.innerHTML = ""; }
      });
      return;
    }
    var input = document.getElementById(button.getAttribute("data-pick-for"));
    if (!input) { return; }
    input.value = button.getAttribute("data-pick-value");
    var results = resultsOf(input);
    if (results) { results.innerHTML = ""; }
    input.focus();  // a screen reader reads the field with its new value
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target || !target.closest) { return; }
    var input = target.matches("input[data-picker]") ? target : null;
    var option = target.closest(".picker-option");
    var results = input ? resultsOf(input) : (option && target.closest(".picker-results"));
    if (!results) { return; }
    var list = options(results);
    if (event.key === "Escape") {
      results.innerHTML = "";
      if (option) { document.getElementById(option.getAttribute("data-pick-for")).focus(); }
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
    if (!list.length) { return; }
    event.preventDefault();
    if (input) { list[event.key === "ArrowDown" ? 0 : list.length - 1].focus(); return; }
    var i = list.indexOf(option) + (event.key === "ArrowDown" ? 1 : -1);
    if (i < 0 || i >= list.length) { document.getElementById(option.getAttribute("data-pick-for")).focus(); return; }
    list[i].focus();
  });
})();

// Qualification (bids area): <input type="checkbox" data-check-all="NAME" hidden> ticks every
// enabled checkbox named NAME; shown only when this script runs (the page works without it).
(function () {
  document.querySelectorAll("input[data-check-all]").forEach(function (all) { all.hidden = false; });
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all.matches || !all.matches("input[data-check-all]")) { return; }
    var name = all.getAttribute("data-check-all");
    document.querySelectorAll('input[type="checkbox"][name="' + name + '"]:not(:disabled)').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();

// Site shell (phones): the header's menu button folds the main navigation away below 720 px.
// Without this script the button stays hidden and the navigation is simply shown, stacked.
(function () {
  "use strict";
  var button = document.querySelector(".site-header .menu-button");
  var nav = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!nav) { return; }
  var header = button.closest(".site-header");
  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("menu-open", open);
  }
  header.classList.add("has-menu-button");
  button.hidden = false;
  button.addEventListener("click", function () { setOpen(button.getAttribute("aria-expanded") !== "true"); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("menu-open")) {
      setOpen(false);
      button.focus();
    }
  });
})();

// Wide tables: a .table-wrap that scrolls sideways says so (a visible hint, also read out), and
// can take the keyboard's focus so arrow keys scroll it (axe: scrollable-region-focusable).
(function () {
  "use strict";
  var hintText = document.body.getAttribute("data-scroll-hint");
  if (!hintText) { return; }
  var counter = 0;
  function label(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var el = wrap.previousElementSibling;
    while (el && !/^H[1-6]$/.test(el.tagName)) { el = el.previousElementSibling; }
    if (!el) { var section = wrap.closest("section, .card"); el = section && section.querySelector("h1, h2, h3"); }
    return el ? el.textContent.trim() : "";
  }
  function mark(wrap) {
    var wide = wrap.scrollWidth > wrap.clientWidth + 1;
    var hint = wrap.previousElementSibling && wrap.previousElementSibling.classList.contains("scroll-hint")
      ? wrap.previousElementSibling : null;
    if (wide && !hint) {
      hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.id = "scroll-hint-" + (++counter);
      hint.textContent = hintText;
      wrap.parentNode.insertBefore(hint, wrap);
      if (!wrap.hasAttribute("tabindex")) { wrap.setAttribute("tabindex", "0"); wrap.setAttribute("data-scroll-tab", ""); }
      if (!wrap.hasAttribute("role")) { wrap.setAttribute("role", "region"); }
      if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
        wrap.setAttribute("aria-label", label(wrap) || hintText);
      }
      wrap.setAttribute("aria-describedby", hint.id);
    } else if (!wide && hint) {
      hint.remove();
      wrap.removeAttribute("aria-describedby");
      if (wrap.hasAttribute("data-scroll-tab")) { wrap.removeAttribute("tabindex"); wrap.removeAttribute("data-scroll-tab"); }
    }
  }
  function markAll() { document.querySelectorAll(".table-wrap").forEach(mark); }
  var timer = null;
  window.addEventListener("resize", function () { window.clearTimeout(timer); timer = window.setTimeout(markAll, 150); });
  document.addEventListener("htmx:afterSettle", markAll);
  window.addEventListener("load", markAll);
  markAll();
})();
