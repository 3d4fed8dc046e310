// The case screen: insert a response template, cancel a form in place (keeping a typed draft),
// and focus that follows only what a swap brought. Refused answers (403, 409, 422) carry the form back and
// are swapped in by htmx's responseHandling (base.html), so the agent sees the message next to their text.
(function () {
  "use strict";

  // Focus moves only inside content that was just swapped in (htmx:load fires on each new element),
  // never to a match elsewhere in the document: an old "Note added." still on the page once took the
  // focus from a search field, and the next letter typed ran a shortcut (issue 23, D1).
  document.addEventListener("htmx:load", function (event) {
    var added = event.target;
    if (!added || !added.querySelector || added === document.body) return;
    // htmx:load comes after the settle delay: a person (or a test) who already went into a field of the
    // new content keeps it, or the next keys would land in the field focused here.
    if (added !== document.activeElement && added.contains(document.activeElement)) return;
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
        // A template without the customer's language inserts the organisation's text, and says so.
        var note = insert.closest(".insert-templates") && insert.closest(".insert-templates").querySelector("[data-missing-note]");
        if (note) {
          note.textContent = insert.getAttribute("data-missing") || "";
          note.hidden = !insert.hasAttribute("data-missing");
        }
        field.focus();
        if (field.form && field.form.dataset.draft) saveDraft(field.form);
      }
      return;
    }
    var cancel = event.target.closest("[data-cancel]");
    if (cancel) {
      event.preventDefault();
      leaveForm(null);
      return;
    }
    var discard = event.target.closest("[data-draft-discard]");
    if (discard) {
      var form = discard.closest("form[data-draft]");
      if (form) forgetDraft(form, true);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target.closest && event.target.closest("#action-slot")) {
      event.preventDefault();
      leaveForm(event.target);
    }
  });

  // Drafts (issue 23, D11): what an agent types into an action form is kept in sessionStorage, per case
  // and action (the form's data-draft), until it is sent or discarded. Closing the form with a draft
  // asks first; reopening the form brings the draft back.
  var STORE = "mend:draft:";

  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "q" && !/^(hidden|submit|button|reset)$/.test(el.type);
    });
  }

  // A form the server sent back (refused) holds the agent's own text: all of it is draft.
  function changed(el) {
    if (el.form && el.form.hasAttribute("data-draft-bound") && el.tagName !== "SELECT" && el.type !== "checkbox") {
      return el.value.trim() !== "";
    }
    if (el.tagName === "SELECT") return el.selectedIndex !== defaultIndex(el);
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    return el.value !== el.defaultValue;
  }

  // A select without a `selected` option shows its first one.
  function defaultIndex(select) {
    for (var i = 0; i < select.options.length; i++) if (select.options[i].defaultSelected) return i;
    return select.options.length ? 0 : -1;
  }

  function readDraft(form) {
    try { return JSON.parse(window.sessionStorage.getItem(STORE + form.dataset.draft) || "null"); }
    catch (error) { return null; }
  }

  function saveDraft(form) {
    var draft = {}, any = false;
    draftFields(form).forEach(function (el) {
      if (changed(el)) { any = true; draft[el.name] = el.type === "checkbox" ? el.checked : el.value; }
    });
    try {
      if (any) window.sessionStorage.setItem(STORE + form.dataset.draft, JSON.stringify(draft));
      else window.sessionStorage.removeItem(STORE + form.dataset.draft);
    } catch (error) { /* storage full or refused: the form still works, only without a kept draft */ }
    return any;
  }

  function forgetDraft(form, reset) {
    try { window.sessionStorage.removeItem(STORE + form.dataset.draft); } catch (error) { /* see saveDraft */ }
    if (reset) {
      draftFields(form).forEach(function (el) {
        if (el.tagName === "SELECT") el.selectedIndex = defaultIndex(el);
        else if (el.type === "checkbox") el.checked = el.defaultChecked;
        else el.value = el.defaultValue;
      });
      var note = form.querySelector("[data-draft-note]");
      if (note) note.hidden = true;
      var first = draftFields(form)[0];
      if (first) first.focus();
    }
  }

  function restoreDraft(form) {
    var draft = readDraft(form), restored = false;
    if (!draft || form.hasAttribute("data-draft-bound")) return;
    draftFields(form).forEach(function (el) {
      // Text the server sent back (a refused submit) is the agent's latest: never overwrite it.
      if (!(el.name in draft) || changed(el)) return;
      if (el.type === "checkbox") el.checked = !!draft[el.name];
      else el.value = draft[el.name];
      restored = restored || changed(el);
    });
    var note = form.querySelector("[data-draft-note]");
    if (note && restored) note.hidden = false;
  }

  document.addEventListener("htmx:load", function (event) {
    var added = event.target;
    if (!added || !added.querySelectorAll) return;
    var forms = added.matches("form[data-draft]") ? [added] : added.querySelectorAll("form[data-draft]");
    Array.prototype.forEach.call(forms, restoreDraft);
  });

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.dataset.draft) saveDraft(form);
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.dataset.draft) saveDraft(form);
  });

  // Sent: a 2xx answer to the form's own POST; a refused one (4xx) keeps the draft with the text. Read
  // before the swap, while the form is still in the document and its events still reach this listener.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var form = event.detail.elt;
    var status = event.detail.xhr && event.detail.xhr.status;
    if (form && form.matches && form.matches("form[data-draft]") && status >= 200 && status < 300) {
      forgetDraft(form, false);
    }
  });

  function closeForm() {
    var slot = document.getElementById("action-slot");
    if (!slot) return;
    slot.innerHTML = "";
    var first = document.querySelector(".case-actions .actions button");
    if (first) first.focus();
  }

  // Cancel or Esc: close at once when nothing was typed; otherwise ask whether to keep the draft.
  function leaveForm(returnTo) {
    var form = document.querySelector("#action-slot form[data-draft]");
    var ask = document.getElementById("draft-dialog");
    if (!form || !ask || !saveDraft(form)) {
      if (form) forgetDraft(form, false);
      closeForm();
      return;
    }
    if (!returnTo || returnTo.closest("[data-cancel]")) returnTo = draftFields(form).filter(changed)[0];
    ask.returnValue = "";
    ask.showModal();
    ask.addEventListener("close", function answered() {
      ask.removeEventListener("close", answered);
      if (ask.returnValue === "keep") closeForm();
      else if (ask.returnValue === "discard") { forgetDraft(form, false); closeForm(); }
      else if (returnTo && returnTo.isConnected) returnTo.focus(); // Esc or "Keep editing"
    });
  }

})();
