// Fill the latitude/longitude inputs of a form from the phone's position (optional).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-geolocate]");
  if (!button) return;
  event.preventDefault();
  var form = button.closest("form");
  var status = form.querySelector("[data-geo-status]");
  if (!navigator.geolocation) { if (status) status.textContent = button.dataset.unavailable; return; }
  if (status) status.textContent = button.dataset.locating;
  navigator.geolocation.getCurrentPosition(function (pos) {
    form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
    form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
    if (status) status.textContent = pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
  }, function () { if (status) status.textContent = button.dataset.unavailable; },
  {enableHighAccuracy: true, timeout: 15000});
});
