// The hotline centre's keyboard: Alt+1..3 press the call screen's three buttons (accesskey
// does the same in most browsers; this makes it work the same in every one), and an answer
// template's button puts its text into the answer box. A static file, never inline: pages are
// served with a Content-Security-Policy that allows scripts from this site's static files only.
document.addEventListener("keydown", function (event) {
  "use strict";
  if (!event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key !== "1" && event.key !== "2" && event.key !== "3") return;
  var button = document.querySelector('button[data-shortcut="' + event.key + '"]');
  if (!button) return;
  event.preventDefault();
  button.click();
});
document.addEventListener("click", function (event) {
  "use strict";
  var button = event.target.closest ? event.target.closest("[data-answer-template]") : null;
  if (!button) return;
  var box = document.getElementById(button.getAttribute("data-answer-template"));
  if (!box) return;
  box.value = box.value ? box.value + "\n" + button.getAttribute("data-text") : button.getAttribute("data-text");
  box.focus();
});
// "Use this answer" on a knowledge-base answer: its text into the answer box, its article code
// and version into the hidden fields the direct answer records (首呼解决率 counts them).
document.addEventListener("click", function (event) {
  "use strict";
  var button = event.target.closest ? event.target.closest("[data-kb-code]") : null;
  if (!button) return;
  var box = document.getElementById("call-answer");
  var code = document.getElementById("call-article-code");
  var version = document.getElementById("call-article-version");
  if (!box || !code || !version) return;
  box.value = button.getAttribute("data-text");
  code.value = button.getAttribute("data-kb-code");
  version.value = button.getAttribute("data-kb-version");
  box.focus();
});
