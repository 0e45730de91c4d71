// The calling screen: htmx swaps the calls in every 2 s; when the newest call changes (a new
// number, or one called again) a short two-tone chime is played with WebAudio. Browsers allow
// sound only after a gesture, so the "sound on" button unlocks it once.
(function () {
  "use strict";
  var audio = null;
  var lastKey = null;

  function chime() {
    if (!audio) { return; }
    try { tones(); } catch (error) { return; }
    document.body.setAttribute("data-chimed", String(Number(document.body.getAttribute("data-chimed") || 0) + 1));
  }

  function tones() {
    var start = audio.currentTime + 0.02;
    [[784, 0], [587, 0.35]].forEach(function (tone) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, start + tone[1]);
      gain.gain.exponentialRampToValueAtTime(0.4, start + tone[1] + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + tone[1] + 0.6);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + tone[1]);
      osc.stop(start + tone[1] + 0.65);
    });
  }

  function check() {
    var state = document.getElementById("screen-state");
    if (!state) { return; }
    var key = state.getAttribute("data-chime") || "";
    if (lastKey !== null && key && key !== lastKey) { chime(); }
    lastKey = key;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("screen-sound");
    check();
    if (button) {
      button.addEventListener("click", function () {
        var Context = window.AudioContext || window.webkitAudioContext;
        if (!audio && Context) { audio = new Context(); }
        if (audio && audio.state === "suspended") { audio.resume(); }
        button.setAttribute("aria-pressed", "true");
        button.hidden = true;
        chime();
      });
    }
    document.body.addEventListener("htmx:afterSwap", check);
  });
})();
