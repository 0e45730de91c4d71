// The checklist page of the intake workstation: after a refused submit, bring the clerk to the
// first problem. A static file, never inline: pages are served with a Content-Security-Policy
// that allows scripts from this site's static files only.
(function () {
  "use strict";
  var first = document.querySelector(".paper--error, #error-summary");
  if (first) {
    first.scrollIntoView({block: "center"});
    if (first.id === "error-summary") first.focus();
  }
})();
