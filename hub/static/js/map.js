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
  // Services at one venue share one marker, named for all of them.
  var groups = {};
  var order = [];
  points.forEach(function (p) {
    var key = p.origin ? "origin" : p.lat.toFixed(5) + "," + p.lon.toFixed(5);
    if (!groups[key]) { groups[key] = []; order.push(key); }
    groups[key].push(p);
  });
  order.forEach(function (key) {
    var group = groups[key];
    var first = group[0];
    var labels = group.map(function (p) { return p.label; });
    var title = labels.length > 1 ? labels.length + " services: " + labels.join("; ") : labels[0];
    // Markers are pictures, not controls: every service is a full-size link in
    // the list beside the map, and small overlapping targets fail WCAG 2.5.8.
    var marker = first.origin
      ? L.circleMarker([first.lat, first.lon],
          { radius: 12, color: "#d4351c", fillOpacity: 0.8, interactive: false })
      : L.marker([first.lat, first.lon],
          { title: title, alt: title, interactive: false, keyboard: false });
    marker.addTo(map);
    bounds.push([first.lat, first.lon]);
  });
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
})();
