// Mend's behaviour in the browser: keyboard shortcuts and small comforts around htmx. Loaded with
// `defer` on every page; no inline script anywhere, so a strict Content-Security-Policy holds.
(function () {
  "use strict";

  function isField(el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  // The one rule for single-key shortcuts: none fires while the agent is typing, while a form is open
  // ([data-form-open], e.g. an action form on the case screen) or while a dialog is open. Otherwise a
  // letter typed just as a swap moves focus acts on the case (issue 23, D1).
  function shortcutsPaused(event) {
    return (
      isField(event.target) ||
      isField(document.activeElement) ||
      !!document.querySelector("dialog[open], [data-form-open]")
    );
  }

  function openShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-open]")) openShortcuts();
  });

  // Page-specific keys (j/k/Enter in lists) register here: Mend.keys["j"] = fn.
  window.Mend = window.Mend || { keys: {} };
  window.Mend.shortcutsPaused = shortcutsPaused;

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (isField(event.target) && event.key === "Escape") {
      event.target.blur();
      return;
    }
    if (shortcutsPaused(event)) return;
    if (event.key === "/") {
      var search = document.getElementById("global-search");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (event.key === "?") { event.preventDefault(); openShortcuts(); return; }
    var handler = window.Mend.keys[event.key];
    if (handler) { handler(event); return; }
    // Any visible control marked data-shortcut="x" answers its letter (the case screen's actions).
    var control = /^[a-z]$/.test(event.key) && document.querySelector('[data-shortcut="' + event.key + '"]');
    if (control) { event.preventDefault(); control.click(); }
  });
})();
