// Idle-timeout warning: shown PUENTE_IDLE_WARNING_SECONDS before the server would sign the user out.
(function () {
  "use strict";
  var body = document.body;
  var timeout = parseInt(body.dataset.idleTimeout || "0", 10);
  if (!timeout) { return; }
  var warning = parseInt(body.dataset.idleWarning || "120", 10);
  var dialog = document.getElementById("idle-warning");
  var secondsEl = document.getElementById("idle-seconds");
  var lastActivity = Date.now();
  var csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";

  function stay() {
    fetch(body.dataset.keepaliveUrl, { method: "POST", headers: { "X-CSRFToken": csrf }, credentials: "same-origin" })
      .then(function (r) { if (r.redirected || r.status >= 400) { window.location = body.dataset.loginUrl; } });
    lastActivity = Date.now();
    if (dialog.open) { dialog.close(); }
  }
  document.getElementById("idle-stay").addEventListener("click", stay);
  document.addEventListener("htmx:afterRequest", function () { lastActivity = Date.now(); });

  setInterval(function () {
    var idle = (Date.now() - lastActivity) / 1000;
    var left = Math.max(0, Math.round(timeout - idle));
    if (left <= 0) { window.location = body.dataset.loginUrl; return; }
    if (left <= warning) {
      secondsEl.textContent = left;
      if (!dialog.open) { dialog.showModal(); document.getElementById("idle-stay").focus(); }
    }
  }, 1000);
})();

// Skip logic in screening forms: an item with data-enable-item/-answer shows only when that earlier answer
// is chosen; hidden items are cleared so that they are not sent (the server checks the same rule).
(function () {
  "use strict";
  var form = document.querySelector(".instrument-form");
  if (!form) { return; }
  function update() {
    var seen = {};
    form.querySelectorAll("[data-enable-item]").forEach(function (input) {
      var box = input.closest(".question");
      if (!box || seen[box.id || input.name]) { return; }
      seen[box.id || input.name] = true;
      var source = form.querySelectorAll('[name="' + input.dataset.enableItem + '"]');
      var on = Array.prototype.some.call(source, function (s) {
        return s.checked && s.value === input.dataset.enableAnswer;
      });
      box.hidden = !on;
      if (!on) {
        box.querySelectorAll("input").forEach(function (i) {
          if (i.type === "radio" || i.type === "checkbox") { i.checked = false; } else { i.value = ""; }
        });
      }
    });
  }
  form.addEventListener("change", update);
  update();
})();

// notes
// Personal phrases: insert the chosen phrase at the cursor of the last text box used, then let autosave know.
(function () {
  "use strict";
  var form = document.querySelector(".note-form");
  var button = form && form.querySelector(".phrase-insert");
  if (!button) { return; }
  var target = form.querySelector("textarea.note-text");
  form.addEventListener("focusin", function (e) {
    if (e.target.matches("textarea.note-text")) { target = e.target; }
  });
  button.addEventListener("click", function () {
    var text = form.querySelector("#phrase-select").value;
    if (!target || !text) { return; }
    var start = target.selectionStart, end = target.selectionEnd;
    target.setRangeText(text, start, end, "end");
    target.focus();
    form.dispatchEvent(new Event("phrase-inserted"));
  });
})();
