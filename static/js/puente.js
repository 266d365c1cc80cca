// htmx behaviour that would otherwise be inline hx-on attributes (kept here so that the Content-Security-Policy
// allows no inline script and no eval).
(function () {
  "use strict";
  function holder(e, attr) {
    var elt = e.detail && e.detail.elt;
    return elt && elt.closest ? elt.closest("[" + attr + "]") : null;
  }
  // A form sent back with its problems (409 conflict, 422 invalid) replaces the form like a success, so that
  // the user sees the conflict and keeps their text. Opt in with data-swap-statuses="409 422".
  document.addEventListener("htmx:beforeSwap", function (e) {
    var el = holder(e, "data-swap-statuses");
    if (el && el.dataset.swapStatuses.split(/\s+/).indexOf(String(e.detail.xhr.status)) !== -1) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  // Autosave without a connection: say so in the status line named by data-offline-status.
  function offline(e) {
    var el = holder(e, "data-offline-status");
    var out = el && document.getElementById(el.dataset.offlineStatus);
    if (out) { out.textContent = el.dataset.offline; }
  }
  document.addEventListener("htmx:sendError", offline);
  document.addEventListener("htmx:responseError", offline);
})();

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
  // Typing a shortcut then a space expands it in place (".hv " becomes the phrase).
  var shortcuts = {};
  form.querySelectorAll("#phrase-select option[data-shortcut]").forEach(function (o) {
    shortcuts[o.dataset.shortcut] = o.value;
  });
  form.addEventListener("input", function (e) {
    var box = e.target;
    if (!box.matches("textarea.note-text") || e.data !== " ") { return; }
    var end = box.selectionStart - 1;
    var before = box.value.slice(0, end);
    var word = before.slice(before.search(/\S+$/));
    if (!word || !Object.prototype.hasOwnProperty.call(shortcuts, word)) { return; }
    box.setRangeText(shortcuts[word] + " ", end - word.length, end + 1, "end");
    form.dispatchEvent(new Event("phrase-inserted"));
  });
})();

// consent — signature pad and the fields of the chosen consent method (templates/consent/new.html).
// The pad draws with pointer events (finger, pen, mouse) and keeps the PNG as a data URL in the hidden input
// #id_signature_image, which the server decodes and checks. Without JavaScript the pad stays hidden and the
// typed name is the way to sign (it is also the keyboard and screen reader alternative).
(function () {
  "use strict";
  var form = document.querySelector(".consent-form");
  if (!form) { return; }

  // Only the fields of the chosen method are shown (all of them until one is chosen).
  var groups = form.querySelectorAll("[data-consent-method]");
  function showMethod() {
    var chosen = form.querySelector('input[name="method"]:checked');
    groups.forEach(function (g) { g.hidden = !!chosen && g.dataset.consentMethod !== chosen.value; });
  }
  form.addEventListener("change", function (e) { if (e.target.name === "method") { showMethod(); } });
  showMethod();

  var pad = form.querySelector("[data-signature-pad]");
  if (!pad) { return; }
  var canvas = pad.querySelector("canvas");
  var input = pad.querySelector('input[name="signature_image"]');
  var status = pad.querySelector(".signature-status");
  var ctx = canvas.getContext("2d");
  pad.hidden = false;
  ctx.lineWidth = 2.5;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#000";

  function point(e) {
    var r = canvas.getBoundingClientRect();
    return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
  }
  var drawing = false;
  var last = null;
  canvas.addEventListener("pointerdown", function (e) {
    e.preventDefault();
    drawing = true;
    last = point(e);
    canvas.setPointerCapture(e.pointerId);
    ctx.beginPath();
    ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fillStyle = ctx.strokeStyle;
    ctx.fill();
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!drawing) { return; }
    var p = point(e);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
  });
  function end() {
    if (!drawing) { return; }
    drawing = false;
    input.value = canvas.toDataURL("image/png");
    if (status) { status.textContent = status.dataset.signed; }
  }
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  pad.querySelector(".signature-clear").addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    input.value = "";
    if (status) { status.textContent = status.dataset.cleared; }
  });
  // A form shown again after an error keeps the signature already drawn.
  if (input.value.indexOf("data:image/png;base64,") === 0) {
    var img = new Image();
    img.onload = function () { ctx.drawImage(img, 0, 0, canvas.width, canvas.height); };
    img.src = input.value;
  }
})();
