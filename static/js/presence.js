// Presence on the case screen: the #presence form polls the server (htmx, hx-trigger in case.html) and
// shows who else has the case open. This file only says whether this agent is writing (an action form
// holds text they typed), at once when that changes, and that they left when the page goes away.
(function () {
  "use strict";

  var TYPED = /^(text|search|email|number|url|tel)$/;

  function typing() {
    var form = document.querySelector("#action-slot form[data-draft]");
    if (!form) return false;
    return Array.prototype.some.call(form.elements, function (el) {
      if (!el.name || el.name === "q") return false;
      if (el.tagName !== "TEXTAREA" && !(el.tagName === "INPUT" && TYPED.test(el.type))) return false;
      if (!el.value.trim()) return false;
      // A form the server sent back holds the agent's own text; a fresh one may start with a template.
      return form.hasAttribute("data-draft-bound") || el.value !== el.defaultValue;
    });
  }

  function update() {
    var box = document.getElementById("presence");
    var input = box && box.querySelector("[data-presence-writing]");
    if (!input || !window.htmx) return;
    var now = typing() ? "1" : "";
    if (input.value !== now) {
      input.value = now;
      window.htmx.trigger(box, "presence-change");
    }
  }

  document.addEventListener("input", update);
  // A swapped action form (opened, sent, closed) or a swapped presence box (its poll echoes what it
  // was sent, perhaps before the latest keystroke): say the state again if it differs.
  document.addEventListener("htmx:afterSettle", update);

  // Each poll carries the state as it is now, whatever closed the form (Cancel, Esc, a sent action).
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "presence") {
      event.detail.parameters.writing = typing() ? "1" : "";
    }
  });

  window.addEventListener("pagehide", function () {
    var box = document.getElementById("presence");
    var token = box && box.querySelector("[name=csrfmiddlewaretoken]");
    if (!token || !navigator.sendBeacon) return;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token.value);
    data.append("leaving", "1");
    navigator.sendBeacon(box.getAttribute("action"), data);
  });
})();
