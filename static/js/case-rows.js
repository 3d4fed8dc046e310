// Lists of cases ([data-row-list]): the whole row opens its case, j/k move a focus ring over the rows,
// Enter opens the focused one, x ticks it for the bulk bar. A list that htmx refreshes ([data-keep-focus])
// keeps the focused case (and any focused chip) and the ticked cases across the swap, without scrolling.
// The bulk bar (#bulk) counts the ticked cases; the head's box ticks or clears every row at once.
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
  Mend.keys.x = function () {
    var row = current();
    var box = row && row.querySelector("[data-pick]");
    if (!box) return;
    box.checked = !box.checked;
    counted();
  };
  Mend.keys.Enter = function (event) {
    var row = current();
    // A focused link or button answers Enter itself; opening here as well would navigate twice.
    if (!row || /^(A|BUTTON)$/.test(document.activeElement.tagName)) return;
    event.preventDefault();
    window.location.assign(row.dataset.href);
  };

  document.addEventListener("click", function (event) {
    var row = event.target.closest("[data-row-list] tr.row-link");
    if (!row || event.target.closest("a, button, input, select, textarea, label, .pick")) return;
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

  // Bulk selection ------------------------------------------------------------------------------
  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-row-list] [data-pick]"));
  }

  function counted() {
    var all = boxes();
    var ticked = all.filter(function (box) { return box.checked; }).length;
    var count = document.querySelector("[data-bulk-count]");
    if (count) {
      // gettext, ngettext and interpolate come from Django's JavaScript catalogue (base.html loads it).
      count.textContent = ticked
        ? interpolate(ngettext("%(count)s case selected.", "%(count)s cases selected.", ticked), { count: ticked }, true)
        : gettext("Tick cases to act on several at once.");
    }
    var head = document.querySelector("[data-select-all]");
    if (head) {
      head.hidden = !all.length;
      head.checked = all.length > 0 && ticked === all.length;
      head.indeterminate = ticked > 0 && ticked < all.length;
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      var on = event.target.checked;
      boxes().forEach(function (box) { box.checked = on; });
    }
    if (event.target.matches("[data-select-all], [data-pick]")) counted();
  });
  document.addEventListener("DOMContentLoaded", counted);

  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    // The bulk bar answers 422 with itself, the error next to the field and the typed text kept.
    if (event.detail.target.id === "bulk" && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    if (!event.detail.target.hasAttribute("data-keep-focus")) return;
    var row = current();
    var focused = document.activeElement && document.activeElement.closest("[data-focus-key]");
    kept = {
      current: row ? row.dataset.focusKey : null,
      focus: focused && event.detail.target.contains(focused) ? focused.dataset.focusKey : null,
      ticked: boxes().filter(function (box) { return box.checked; }).map(function (box) { return box.value; }),
    };
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "bulk") counted();
    if (!kept) return;
    var state = kept;
    kept = null;
    function byKey(key) {
      return key ? document.querySelector('[data-focus-key="' + CSS.escape(key) + '"]') : null;
    }
    var row = byKey(state.current);
    if (row) row.classList.add("is-current");
    boxes().forEach(function (box) { if (state.ticked.indexOf(box.value) >= 0) box.checked = true; });
    counted();
    var focus = byKey(state.focus);
    if (focus) (focus.matches("a, button") ? focus : focus.querySelector("a") || focus).focus({ preventScroll: true });
  });
})();
