// Mend's behaviour in the browser: keyboard shortcuts and small comforts around htmx. Loaded with
// `defer` on every page; no inline script anywhere, so a strict Content-Security-Policy holds.
(function () {
  "use strict";

  function typing(event) {
    var el = event.target;
    return el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
  }

  function openShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-open]")) openShortcuts();
  });

  // Page-specific keys (j/k/Enter in lists, a on a case) register here: Mend.keys["a"] = fn.
  window.Mend = window.Mend || { keys: {} };

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (typing(event)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    if (event.key === "/") {
      var search = document.getElementById("global-search");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (event.key === "?") { event.preventDefault(); openShortcuts(); return; }
    var handler = window.Mend.keys[event.key];
    if (handler) handler(event);
  });
})();
