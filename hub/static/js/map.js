// Draws the search results on a Leaflet map. The list above is the real
// content: if Leaflet or the tiles fail, the page stays fully usable.
(function () {
  "use strict";
  var element = document.getElementById("results-map");
  var dataElement = document.getElementById("results-map-data");
  if (!element || !dataElement || typeof L === "undefined") {
    if (element) { element.classList.add("hub-map--failed"); }
    return;
  }
  var points;
  try { points = JSON.parse(dataElement.textContent || "[]"); } catch (e) { points = []; }
  if (!points.length) { element.classList.add("hub-map--failed"); return; }
  var map = L.map(element, { scrollWheelZoom: false });
  var tiles = L.tileLayer(element.getAttribute("data-tiles"), {
    maxZoom: 18,
    attribution: element.getAttribute("data-attribution")
  });
  var failures = 0;
  tiles.on("tileerror", function () {
    failures += 1;
    if (failures === 1) {
      var note = document.createElement("p");
      note.className = "govuk-body-s";
      note.textContent = "Map background could not load; markers still show where services are.";
      element.parentNode.insertBefore(note, element.nextSibling);
    }
  });
  tiles.addTo(map);
  L.Icon.Default.imagePath = element.getAttribute("data-images") || "/static/leaflet/images/";
  var bounds = [];
  points.forEach(function (p) {
    var marker = p.origin
      ? L.circleMarker([p.lat, p.lon], { radius: 8, color: "#d4351c", fillOpacity: 0.8 })
      : L.marker([p.lat, p.lon], { title: p.label, alt: p.label });
    marker.bindPopup(document.createTextNode(p.label));
    marker.addTo(map);
    bounds.push([p.lat, p.lon]);
  });
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
})();
