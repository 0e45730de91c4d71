// The citizen's report form (/grid/report/): "use my position" fills the longitude and
// latitude from the browser (they can also be typed). A static file (no inline script).
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
      document.getElementById("public-longitude").value = position.coords.longitude.toFixed(6);
      document.getElementById("public-latitude").value = position.coords.latitude.toFixed(6);
      status.textContent = "";
    }, function () {
      status.textContent = root.getAttribute("data-t-no-position");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
