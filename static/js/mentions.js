// @mentions in a note (forms with data-mentions="<url>"): typing "@" and letters offers colleagues who
// may see the case, fetched from the server. The textarea stays a textarea; it points at the list with
// aria-controls and at the highlighted colleague with aria-activedescendant (the ARIA combobox pattern
// on a multi-line field). Up/Down move, Enter or Tab picks, Esc closes the list (not the form).
(function () {
  "use strict";

  var LIST_ID = "mention-list";
  var pending = null;

  function field(target) {
    var form = target && target.form;
    if (!form || !form.dataset.mentions || target.tagName !== "TEXTAREA") return null;
    return target;
  }

  // The "@word" just before the caret, or null.
  function wordAtCaret(area) {
    var before = area.value.slice(0, area.selectionStart);
    var match = /(^|[^\w@.+-])@([\w.+-]*)$/.exec(before);
    return match ? { query: match[2], start: before.length - match[2].length - 1 } : null;
  }

  function listFor(area) {
    var list = document.getElementById(LIST_ID);
    if (!list) {
      list = document.createElement("ul");
      list.id = LIST_ID;
      list.className = "mention-list";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", area.form.dataset.mentionsLabel || gettext("Colleagues to mention"));
      list.hidden = true;
      area.insertAdjacentElement("afterend", list);
      list.addEventListener("mousedown", function (event) {
        var option = event.target.closest("[role=option]");
        if (option) { event.preventDefault(); pick(area, option); }
      });
    }
    area.setAttribute("aria-controls", LIST_ID);
    area.setAttribute("aria-autocomplete", "list");
    return list;
  }

  function close(area) {
    var list = document.getElementById(LIST_ID);
    if (list) { list.hidden = true; list.innerHTML = ""; }
    if (area) area.removeAttribute("aria-activedescendant");
  }

  function isOpen() {
    var list = document.getElementById(LIST_ID);
    return list && !list.hidden && list.children.length > 0;
  }

  function show(area, colleagues) {
    var list = listFor(area);
    list.innerHTML = "";
    colleagues.forEach(function (person, index) {
      var option = document.createElement("li");
      option.id = LIST_ID + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", index === 0 ? "true" : "false");
      option.dataset.username = person.username;
      option.textContent = person.name === person.username ? "@" + person.username : person.name + " (@" + person.username + ")";
      list.appendChild(option);
    });
    list.hidden = colleagues.length === 0;
    if (colleagues.length) area.setAttribute("aria-activedescendant", LIST_ID + "-0");
    else area.removeAttribute("aria-activedescendant");
  }

  function move(area, step) {
    var options = document.querySelectorAll("#" + LIST_ID + " [role=option]");
    var current = Array.prototype.findIndex.call(options, function (o) { return o.getAttribute("aria-selected") === "true"; });
    var next = (current + step + options.length) % options.length;
    Array.prototype.forEach.call(options, function (o, i) { o.setAttribute("aria-selected", i === next ? "true" : "false"); });
    area.setAttribute("aria-activedescendant", options[next].id);
    options[next].scrollIntoView({ block: "nearest" });
  }

  function pick(area, option) {
    var word = wordAtCaret(area);
    if (!word) { close(area); return; }
    var insert = "@" + option.dataset.username + " ";
    area.value = area.value.slice(0, word.start) + insert + area.value.slice(area.selectionStart);
    var caret = word.start + insert.length;
    area.setSelectionRange(caret, caret);
    area.dispatchEvent(new Event("input", { bubbles: true }));  // drafts and presence hear of it
    close(area);
    area.focus();
  }

  function offer(area) {
    var word = wordAtCaret(area);
    if (!word) { close(area); return; }
    var url = area.form.dataset.mentions + "?q=" + encodeURIComponent(word.query);
    pending = url;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : { colleagues: [] }; })
      .then(function (data) { if (pending === url) show(area, data.colleagues || []); })
      .catch(function () { close(area); });
  }

  document.addEventListener("input", function (event) {
    var area = field(event.target);
    if (area && event.isTrusted) offer(area);
  });

  // On the field itself, so a key the list uses never reaches the page's shortcuts or Esc-closes-form.
  document.addEventListener("keydown", function (event) {
    var area = field(event.target);
    if (!area || !isOpen()) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(area, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" || event.key === "Tab") {
      var chosen = document.querySelector("#" + LIST_ID + " [aria-selected=true]");
      if (chosen) { event.preventDefault(); pick(area, chosen); }
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopImmediatePropagation();
      close(area);
    } else {
      return;
    }
    event.stopPropagation();
  }, true);

  document.addEventListener("focusout", function (event) {
    if (field(event.target)) close(event.target);
  });
})();
