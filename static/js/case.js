// The case screen: insert a response template, cancel a form in place, `a` to acknowledge, live countdowns,
// and htmx answers that carry a form back (422 invalid, 409 stale or refused, 403 not allowed) swapped in
// like any other, so the agent sees the message next to their text.
(function () {
  "use strict";

  var KEEP_FORM = { 403: true, 409: true, 422: true };

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (KEEP_FORM[event.detail.xhr.status]) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Focus moves only inside content that was just swapped in (htmx:load fires on each new element),
  // never to a match elsewhere in the document: an old "Note added." still on the page once took the
  // focus from a search field, and the next letter typed ran a shortcut (issue 23, D1).
  document.addEventListener("htmx:load", function (event) {
    var added = event.target;
    if (!added || !added.querySelector || added === document.body) return;
    var focus = added.matches("[data-autofocus]") ? added : added.querySelector("[data-autofocus]");
    if (!focus) focus = added.querySelector("[data-form-open] [aria-invalid=true]");
    if (!focus && added.closest("#action-slot")) focus = added.querySelector("[data-form-open] textarea, [data-form-open] input:not([type=hidden]), [data-form-open] select");
    if (focus) focus.focus();
  });

  document.addEventListener("click", function (event) {
    var insert = event.target.closest("[data-insert-into]");
    if (insert) {
      var field = document.getElementById(insert.getAttribute("data-insert-into"));
      if (field) {
        var text = insert.getAttribute("data-text");
        field.value = field.value.trim() ? field.value.replace(/\s+$/, "") + "\n\n" + text : text;
        field.focus();
      }
      return;
    }
    var cancel = event.target.closest("[data-cancel]");
    if (cancel) {
      var slot = document.getElementById("action-slot");
      if (slot) {
        event.preventDefault();
        slot.innerHTML = "";
        var first = document.querySelector(".case-actions .actions button");
        if (first) first.focus();
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target.closest && event.target.closest("#action-slot")) {
      var cancel = document.querySelector("#action-slot [data-cancel]");
      if (cancel) cancel.click();
    }
  });

  window.Mend = window.Mend || { keys: {} };
  window.Mend.keys.a = function (event) {
    var button = document.querySelector('button[data-shortcut="a"]');
    if (button) { event.preventDefault(); button.click(); }
  };

  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60), rest = minutes % 60;
    if (days) return days + " d" + (hours ? " " + hours + " h" : "");
    if (hours) return hours + " h " + (rest < 10 ? "0" : "") + rest + " min";
    return rest + " min";
  }

  function tick() {
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var left = new Date(el.getAttribute("datetime")) - new Date();
      el.textContent = left > 0 ? "due in " + span(left) : span(left) + " over";
    });
  }
  setInterval(tick, 30000);
})();
