// The citizen's report form (/grid/report/): "use my position" fills the longitude and
// latitude from the browser (a tap on the map, grid/gridmap.js, fills them too; they can also
// be typed). A static file (no inline script).
(function () {
  "use strict";
  var root = document.getElementById("public-report");
  var button = document.getElementById("public-locate");
  if (!root || !button) return;
  var status = document.getElementById("public-locate-status");
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = root.getAttribute("data-t-no-position"); return; }
    status.textContent = root.getAttribute("data-t-locating");
    navigator.geolocation.getCurrentPosition(function (position) {
      var lon = document.getElementById("public-longitude");
      var lat = document.getElementById("public-latitude");
      lon.value = position.coords.longitude.toFixed(6);
      lat.value = position.coords.latitude.toFixed(6);
      // The map (grid/gridmap.js) moves its pin to the inputs' new values.
      lon.dispatchEvent(new Event("change", { bubbles: true }));
      lat.dispatchEvent(new Event("change", { bubbles: true }));
      status.textContent = "";
    }, function () {
      status.textContent = root.getAttribute("data-t-no-position");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
