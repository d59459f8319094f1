// vangnet finder: adds "use my location" to the search form when the
// browser can tell its position. Without this script the form works the
// same, minus that button. The position is rounded to about 100 m before
// it is sent, and is not stored.
(function () {
  "use strict";
  var box = document.getElementById("vangnet-locate");
  if (!box || !("geolocation" in navigator) || !window.URLSearchParams) {
    return;
  }
  var button = box.querySelector("button");
  var status = box.querySelector("[role=status]");
  box.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = box.getAttribute("data-busy");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var params = new URLSearchParams();
        params.set("lat", position.coords.latitude.toFixed(3));
        params.set("lon", position.coords.longitude.toFixed(3));
        var form = button.form;
        form.querySelectorAll("input[name=service]:checked").forEach(function (input) {
          params.append("service", input.value);
        });
        var openNow = form.querySelector("input[name=open_now]:checked");
        if (openNow) {
          params.set("open_now", openNow.value);
        }
        window.location.href = form.getAttribute("action") + "?" + params.toString();
      },
      function () {
        status.textContent = box.getAttribute("data-failed");
      },
      { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 }
    );
  });
})();
