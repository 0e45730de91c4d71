// The intake workstation's item search: arrow keys move between the search box and the result
// links (the keyboard is the clerk's tool). A static file, never inline: pages are served with a
// Content-Security-Policy that allows scripts from this site's static files only.
document.addEventListener("keydown", function (event) {
  "use strict";
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  var box = document.getElementById("item-q");
  var links = Array.prototype.slice.call(document.querySelectorAll("#item-results .item-result"));
  if (!box || !links.length) return;
  var at = links.indexOf(document.activeElement);
  if (document.activeElement !== box && at === -1) return;
  event.preventDefault();
  if (event.key === "ArrowDown") {
    (at === -1 ? links[0] : links[Math.min(at + 1, links.length - 1)]).focus();
  } else if (at <= 0) {
    box.focus();
  } else {
    links[at - 1].focus();
  }
});
