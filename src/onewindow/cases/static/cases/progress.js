// The progress page opened from a receipt's QR code: /progress/?number=N#code=XXXX. The query code
// is in the fragment, which a browser never sends to a server; this script puts it in the form,
// removes the fragment from the address bar and the history entry, and sends the form (POST), so
// the code is in no address, log or referrer. Without JavaScript the citizen types the code
// printed on the receipt. A static file, never inline: pages are served with a
// Content-Security-Policy that allows scripts from this site's static files only.
(function () {
  "use strict";
  var hash = window.location.hash;
  if (!hash || hash.length < 2) return;
  var code = new URLSearchParams(hash.slice(1)).get("code");
  if (code === null) return;
  // Whatever happens next, the code leaves the address bar and this history entry.
  window.history.replaceState(
    window.history.state,
    "",
    window.location.pathname + window.location.search
  );
  var form = document.getElementById("progress-form");
  var field = document.getElementById("progress-code");
  var number = document.getElementById("progress-number");
  if (!form || !field || !number) return;
  field.value = code.trim().slice(0, field.maxLength > 0 ? field.maxLength : code.length);
  if (!number.value.trim() || !field.value) {
    (number.value.trim() ? field : number).focus();
    return;
  }
  if (typeof form.requestSubmit === "function") {
    form.requestSubmit();
  } else {
    form.submit();
  }
})();
