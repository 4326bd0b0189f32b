/* The map page: grid polygons, then the due houses of the visible area (bbox), fetched again 300 ms after the
   map stops moving; choosing a grid zooms to it and keeps only its houses.
   No tiles unless the MAP_TILE_URL setting gives them: polygons and markers on a plain background. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var colours = { focus: "#d7263d", uncertain: "#f0a500", trusted: "#2e8b57" };
  var map = L.map(el, { zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false });
  var status = document.getElementById("map-status");
  var grids = L.geoJSON(null, {
    style: function () { return { color: "#16355c", weight: 2, fillOpacity: 0.06 }; },
    onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.code + " " + f.properties.name); }
  });
  var due = L.layerGroup();

  function text(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }

  function popup(p) {
    var html = "<strong>" + text(p.address) + "</strong><br>" + text(p.tier_label) + " · " + text(p.status_label);
    if (p.days_overdue > 0) { html += " · " + p.days_overdue + " " + text(el.dataset.overdue); }
    if (p.url) { html += '<br><a class="house-link" href="' + text(p.url) + '">' + text(el.dataset.open) + "</a>"; }
    return html;
  }

  var chosen = "", timer = null, asked = 0;

  function loadDue() {
    var b = map.getBounds(), seq = ++asked, forGrid = chosen;
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); });
    var url = el.dataset.due + "?bbox=" + bbox.join(",") + (forGrid ? "&grid=" + encodeURIComponent(forGrid) : "");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (seq !== asked) { return; }  // a later move asked again: its answer wins
        due.clearLayers();
        (data.features || []).forEach(function (f) {
          var c = f.geometry.coordinates, p = f.properties;
          L.circleMarker([c[1], c[0]], {
            radius: 7, color: p.status === "overdue" ? "#b00020" : "#ffffff", weight: p.status === "overdue" ? 3 : 1,
            fillColor: colours[p.tier] || "#888888", fillOpacity: 0.9, className: "due-marker"
          }).bindPopup(popup(p)).addTo(due);
        });
        status.textContent = (data.features || []).length + " " + el.dataset.count + (data.truncated ? " (" + el.dataset.truncated + ")" : "");
        el.dataset.loaded = forGrid || "*";
        el.dataset.bbox = bbox.join(",");
        el.dataset.loads = String(Number(el.dataset.loads || 0) + 1);
      });
  }

  function later() {  // debounced: one fetch when the map stops moving, not one per frame
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(loadDue, 300);
  }

  function zoomTo(code) {
    chosen = code;
    var target = grids;
    if (code) {
      grids.eachLayer(function (layer) { if (layer.feature.properties.code === code) { target = layer; } });
    }
    delete el.dataset.loaded;
    if (target.getLayers && !target.getLayers().length) { later(); return; }
    map.fitBounds(target.getBounds(), { padding: [10, 10], animate: false });
    later();  // fitBounds to the same view fires no moveend
  }

  fetch(el.dataset.grids, { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      grids.addData(data);
      if (data.features.length) {
        map.fitBounds(grids.getBounds(), { padding: [10, 10], animate: false });
      } else {
        map.setView([30.0, 120.0], 12);  // no grid in reach: somewhere, never an error
      }
      if (el.dataset.tiles) {
        L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
      }
      grids.addTo(map);
      due.addTo(map);
      map.on("moveend", later);
      el.dataset.ready = "1";
      later();
    });
  document.getElementById("map-grid").addEventListener("change", function (e) { zoomTo(e.target.value); });
}());
