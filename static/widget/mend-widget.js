/* Mend feedback widget. One tag on any page:
 *   <script src="https://mend.example.com/static/widget/mend-widget.js" data-mend-key="wk_..." defer></script>
 * No library, no cookie, no inline style or script: its stylesheet is a <link> beside this file, and it
 * posts JSON to the Mend origin this file came from. */
(function () {
  "use strict";
  var script = document.currentScript;
  var key = script && script.getAttribute("data-mend-key");
  if (!key) { return; }
  var src = new URL(script.src, document.baseURI);
  var endpoint = src.origin + "/api/v1/widget/feedback/";
  var uid = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }
  function id(name) { uid += 1; return "mend-w-" + name + "-" + uid; }

  var link = el("link", { rel: "stylesheet", href: new URL("mend-widget.css", src).href });
  script.parentNode.insertBefore(link, script.nextSibling);

  var root = el("div", { "class": "mend-w" });
  var opener = el("button", { type: "button", "class": "mend-w-open", "aria-expanded": "false", text: "Feedback" });
  var titleId = id("title");
  var panel = el("div", { "class": "mend-w-panel", role: "dialog", "aria-labelledby": titleId, hidden: "", tabindex: "-1" });
  opener.setAttribute("aria-controls", panel.id = id("panel"));
  var form = el("form", { novalidate: "" });
  var errors = {};

  function errorFor(name) {
    var node = el("p", { "class": "mend-w-error", id: id(name + "-error"), hidden: "" });
    errors[name] = node;
    return node;
  }

  var stars = el("div", { "class": "mend-w-stars" });
  var ratingWords = ["very poor", "poor", "fair", "good", "very good"];
  for (var n = 1; n <= 5; n += 1) {
    var radio = el("input", { type: "radio", name: "rating", value: String(n), "aria-label": n + " of 5, " + ratingWords[n - 1] });
    stars.appendChild(el("label", { "class": "mend-w-star" }, [radio, el("span", { text: String(n), "aria-hidden": "true" })]));
  }
  var ratingError = errorFor("rating");
  var rating = el("fieldset", { "class": "mend-w-field" }, [
    el("legend", { text: "Your rating (1 = very poor, 5 = very good)" }), stars, ratingError
  ]);
  var commentId = id("comment");
  var comment = el("textarea", { id: commentId, name: "comment", maxlength: "2000" });
  var emailId = id("email");
  var email = el("input", { id: emailId, name: "email", type: "email", autocomplete: "email" });
  var hpId = id("website");
  var honeypot = el("input", { id: hpId, name: "website", type: "text", tabindex: "-1", autocomplete: "off" });
  var status = el("p", { "class": "mend-w-status", role: "status" });
  var send = el("button", { type: "submit", "class": "mend-w-send", text: "Send feedback" });
  var close = el("button", { type: "button", "class": "mend-w-close", text: "Close" });

  form.appendChild(el("h2", { id: titleId, "class": "mend-w-title", text: "How was this page?" }));
  form.appendChild(rating);
  form.appendChild(el("div", { "class": "mend-w-field" }, [
    el("label", { "for": commentId, text: "Comment" }), comment, errorFor("comment")
  ]));
  form.appendChild(el("div", { "class": "mend-w-field" }, [
    el("label", { "for": emailId, text: "Email (optional)" }), email,
    el("p", { "class": "mend-w-hint", text: "Only if you would like us to reply." }), errorFor("email")
  ]));
  form.appendChild(el("div", { "class": "mend-w-hp", "aria-hidden": "true" }, [
    el("label", { "for": hpId, text: "Leave this field empty" }), honeypot, errorFor("website")
  ]));
  form.appendChild(el("div", { "class": "mend-w-actions" }, [close, send]));
  form.appendChild(status);
  panel.appendChild(form);
  root.appendChild(opener);
  root.appendChild(panel);
  document.body.appendChild(root);

  // One idempotency key per submission: a retry after a network failure is stored once.
  var attempt = null;
  function newAttempt() {
    return window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : null;
  }

  function open() {
    panel.hidden = false;
    opener.setAttribute("aria-expanded", "true");
    var first = form.querySelector("input[name=rating]");
    first.focus();
  }
  function shut() {
    panel.hidden = true;
    opener.setAttribute("aria-expanded", "false");
    opener.focus();
  }
  opener.addEventListener("click", function () { if (panel.hidden) { open(); } else { shut(); } });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); shut(); }
  });

  function clearErrors() {
    Object.keys(errors).forEach(function (name) { errors[name].hidden = true; errors[name].textContent = ""; });
    [comment, email].forEach(function (field) { field.removeAttribute("aria-invalid"); field.removeAttribute("aria-describedby"); });
    status.textContent = "";
    status.className = "mend-w-status";
  }
  function showError(name, message) {
    var node = errors[name];
    if (!node) { return false; }
    node.textContent = message;
    node.hidden = false;
    var field = { comment: comment, email: email, website: honeypot }[name];
    if (field) { field.setAttribute("aria-invalid", "true"); field.setAttribute("aria-describedby", node.id); }
    return true;
  }
  function say(message, good) {
    status.textContent = message;
    status.className = "mend-w-status " + (good ? "mend-w-status-ok" : "mend-w-status-bad");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var chosen = form.querySelector("input[name=rating]:checked");
    var body = {
      rating: chosen ? Number(chosen.value) : null,
      comment: comment.value,
      email: email.value.trim(),
      page: window.location.pathname
    };
    // The page's language, so Mend answers the customer in it (a BCP 47 tag, as <html lang> holds).
    var lang = (document.documentElement.getAttribute("lang") || "").trim();
    if (lang) { body.lang = lang; }
    if (honeypot.value) { body.website = honeypot.value; }
    if (!chosen && !comment.value.trim()) {
      showError("rating", "Choose a rating or write a comment.");
      form.querySelector("input[name=rating]").focus();
      return;
    }
    attempt = attempt || newAttempt();
    var headers = { "Content-Type": "application/json", "X-Mend-Widget-Key": key };
    if (attempt) { headers["Idempotency-Key"] = attempt; }
    send.disabled = true;
    say("Sending…", true);
    fetch(endpoint, { method: "POST", mode: "cors", credentials: "omit", headers: headers, body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { ok: response.ok, status: response.status, data: data };
        });
      })
      .then(function (answer) {
        send.disabled = false;
        if (answer.ok) {
          attempt = null;
          form.reset();
          say("Thank you: your feedback was sent.", true);
          return;
        }
        if (answer.status === 400 && answer.data && !answer.data.detail) {
          var shown = Object.keys(answer.data).filter(function (name) {
            return showError(name, [].concat(answer.data[name]).join(" "));
          });
          say(shown.length ? "Please check the fields marked above." : "Your feedback could not be sent.", false);
          return;
        }
        if (answer.status === 429) { say("Too many messages just now: please try again in a minute.", false); return; }
        say((answer.data && answer.data.detail) || "Your feedback could not be sent.", false);
      })
      .catch(function () {
        send.disabled = false;
        say("Mend could not be reached: please try again.", false);
      });
  });
}());
