// Lists of cases ([data-row-list]): the whole row opens its case, j/k move a focus ring over the rows,
// Enter opens the focused one. A list that htmx refreshes ([data-keep-focus]) keeps the focused case
// (and any focused chip) across the swap, without scrolling.
(function () {
  "use strict";
  var Mend = (window.Mend = window.Mend || { keys: {} });

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-row-list] tr.row-link"));
  }

  function current() {
    return document.querySelector("[data-row-list] tr.row-link.is-current");
  }

  function select(row) {
    var previous = current();
    if (previous) previous.classList.remove("is-current");
    if (!row) return;
    row.classList.add("is-current");
    var link = row.querySelector("a");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.indexOf(current());
    var next = index < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(Math.max(index + step, 0), list.length - 1);
    select(list[next]);
  }

  Mend.keys.j = function () { move(1); };
  Mend.keys.k = function () { move(-1); };
  Mend.keys.Enter = function (event) {
    var row = current();
    // A focused link or button answers Enter itself; opening here as well would navigate twice.
    if (!row || /^(A|BUTTON)$/.test(document.activeElement.tagName)) return;
    event.preventDefault();
    window.location.assign(row.dataset.href);
  };

  document.addEventListener("click", function (event) {
    var row = event.target.closest("[data-row-list] tr.row-link");
    if (!row || event.target.closest("a, button, input, select, textarea")) return;
    if (window.getSelection && String(window.getSelection())) return; // selecting text, not opening
    window.location.assign(row.dataset.href);
  });

  document.addEventListener("focusin", function (event) {
    var row = event.target.closest && event.target.closest("[data-row-list] tr.row-link");
    if (row && row !== current()) {
      var previous = current();
      if (previous) previous.classList.remove("is-current");
      row.classList.add("is-current");
    }
  });

  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.target.hasAttribute("data-keep-focus")) return;
    var row = current();
    var focused = document.activeElement && document.activeElement.closest("[data-focus-key]");
    kept = {
      current: row ? row.dataset.focusKey : null,
      focus: focused && event.detail.target.contains(focused) ? focused.dataset.focusKey : null,
    };
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!kept) return;
    var state = kept;
    kept = null;
    function byKey(key) {
      return key ? document.querySelector('[data-focus-key="' + CSS.escape(key) + '"]') : null;
    }
    var row = byKey(state.current);
    if (row) row.classList.add("is-current");
    var focus = byKey(state.focus);
    if (focus) (focus.matches("a, button") ? focus : focus.querySelector("a") || focus).focus({ preventScroll: true });
  });
})();
