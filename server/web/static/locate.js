/* "Use my position": fills longitude and latitude from the phone's location (the browser asks first). */
(function () {
  "use strict";
  var button = document.getElementById("r-locate");
  if (!button || !navigator.geolocation) { if (button) { button.hidden = true; } return; }
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("r-lon").value = pos.coords.longitude.toFixed(6);
      document.getElementById("r-lat").value = pos.coords.latitude.toFixed(6);
    });
  });
}());
