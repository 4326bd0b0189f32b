/* The map page: grid polygons, then what is due in the visible area (bbox), fetched again 300 ms after the
   map stops moving. With at most data-house-grids grids in view it shows the due houses; zoomed out further,
   one count per grid (a station's thousands of houses would take a second to send and be unreadable as dots);
   clicking a count, or choosing a grid, zooms to that grid and keeps only its houses.
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
  var houseGrids = Number(el.dataset.houseGrids || 6);
  var picker = document.getElementById("map-grid");

  function text(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }

  function popup(p) {
    var html = "<strong>" + text(p.address) + "</strong><br>" + text(p.tier_label) + " · " + text(p.status_label);
    if (p.days_overdue > 0) { html += " · " + p.days_overdue + " " + text(el.dataset.overdue); }
    if (p.url) { html += '<br><a class="house-link" href="' + text(p.url) + '">' + text(el.dataset.open) + "</a>"; }
    return html;
  }

  function breakdown(p) {  // a grid's count, per tier
    var html = "<strong>" + text(p.code + " " + p.name) + "</strong>";
    p.tiers.forEach(function (t) {
      html += "<br>" + text(t.tier_label) + ": " + t.total + (t.overdue ? " (" + t.overdue + " " + text(el.dataset.overdueCount) + ")" : "");
    });
    return html;
  }

  var chosen = "", timer = null, asked = 0;

  function gridsInView() {
    var b = map.getBounds(), n = 0;
    grids.eachLayer(function (layer) { if (b.intersects(layer.getBounds())) { n += 1; } });
    return n;
  }

  function drawHouses(data) {
    (data.features || []).forEach(function (f) {
      var c = f.geometry.coordinates, p = f.properties;
      L.circleMarker([c[1], c[0]], {
        radius: 7, color: p.status === "overdue" ? "#b00020" : "#ffffff", weight: p.status === "overdue" ? 3 : 1,
        fillColor: colours[p.tier] || "#888888", fillOpacity: 0.9, className: "due-marker"
      }).bindPopup(popup(p)).addTo(due);
    });
    status.textContent = (data.features || []).length + " " + el.dataset.count + (data.truncated ? " (" + el.dataset.truncated + ")" : "");
  }

  function drawCounts(data) {
    var sum = 0;
    (data.features || []).forEach(function (f) {
      var c = f.geometry.coordinates, p = f.properties;
      sum += p.total;
      L.marker([c[1], c[0]], {
        icon: L.divIcon({
          className: "due-count" + (p.overdue ? " has-overdue" : ""), iconSize: [48, 24],
          html: '<span class="due-count-n" data-grid="' + text(p.code) + '">' + p.total + "</span>"
        }),
        keyboard: false
      }).bindTooltip(breakdown(p)).on("click", function () { picker.value = p.code; zoomTo(p.code); }).addTo(due);
    });
    status.textContent = sum + " " + el.dataset.count + " · " + el.dataset.zoomIn;
  }

  function loadDue() {
    var b = map.getBounds(), seq = ++asked, forGrid = chosen;
    var mode = forGrid || gridsInView() <= houseGrids ? "houses" : "counts";
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); });
    var url = (mode === "houses" ? el.dataset.due : el.dataset.counts) + "?bbox=" + bbox.join(",") +
      (forGrid ? "&grid=" + encodeURIComponent(forGrid) : "");
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (seq !== asked) { return; }  // a later move asked again: its answer wins
        due.clearLayers();
        if (mode === "houses") { drawHouses(data); } else { drawCounts(data); }
        el.dataset.mode = mode;
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
  picker.addEventListener("change", function (e) { zoomTo(e.target.value); });
}());
