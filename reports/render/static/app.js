/* MLOps Atlas report pages: sortable/searchable tables, plotly charts, dropdown inputs.
   Everything shown comes from JSON embedded in the page and is inserted with textContent
   (or as HTML that the build already escaped), so no data can run as script. */
(function () {
  "use strict";
  var choices = {};

  function readJSON(el) {
    if (!el) return null;
    if (!el._atlasData) el._atlasData = JSON.parse(el.textContent);
    return el._atlasData;
  }

  function compare(a, b) {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: "base" });
  }

  function initTable(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var data = readJSON(root.querySelector("script.atlas-table-data"));
    var size = parseInt(root.dataset.rows, 10) || 10;
    var state = { page: 0, col: -1, dir: 1, q: "" };
    var tbody = root.querySelector("tbody");
    var pager = root.querySelector(".atlas-pager");
    var headers = root.querySelectorAll("thead th");
    var search = root.querySelector(".atlas-search");
    var haystack = data.cells.map(function (r) { return r.join("\u0001").toLowerCase(); });
    var order = data.cells.map(function (_, i) { return i; });

    function rows() {
      var idx = order.filter(function (i) { return !state.q || haystack[i].indexOf(state.q) >= 0; });
      if (state.col >= 0) {
        idx.sort(function (a, b) {
          var ka = data.keys[a][state.col], kb = data.keys[b][state.col];
          if (ka === null || ka === undefined) return (kb === null || kb === undefined) ? a - b : 1;
          if (kb === null || kb === undefined) return -1;
          return state.dir * compare(ka, kb) || a - b;
        });
      }
      return idx;
    }

    function button(label, page, disabled) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.disabled = disabled;
      b.addEventListener("click", function () { state.page = page; draw(); });
      return b;
    }

    function draw() {
      var idx = rows();
      var pages = Math.max(1, Math.ceil(idx.length / size));
      state.page = Math.min(state.page, pages - 1);
      tbody.textContent = "";
      idx.slice(state.page * size, (state.page + 1) * size).forEach(function (i) {
        var tr = document.createElement("tr");
        var link = data.links[i];
        data.cells[i].forEach(function (text, c) {
          var td = document.createElement("td");
          if (data.numeric[c]) td.className = "num";
          if (link && c === 0) {
            var a = document.createElement("a");
            a.href = link;
            a.textContent = text;
            td.appendChild(a);
          } else {
            td.textContent = text;
          }
          tr.appendChild(td);
        });
        if (link) { tr.className = "atlas-link-row"; tr.dataset.href = link; }
        tbody.appendChild(tr);
      });
      pager.textContent = "";
      var info = document.createElement("span");
      info.textContent = idx.length + " rows" + (pages > 1 ? " · page " + (state.page + 1) + " of " + pages : "");
      pager.appendChild(info);
      if (pages > 1) {
        pager.appendChild(button("‹ Prev", state.page - 1, state.page === 0));
        pager.appendChild(button("Next ›", state.page + 1, state.page >= pages - 1));
      }
    }

    headers.forEach(function (th, c) {
      th.querySelector("button").addEventListener("click", function () {
        state.dir = state.col === c ? -state.dir : (data.numeric[c] ? -1 : 1);
        state.col = c;
        headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending");
        draw();
      });
    });
    if (search) {
      search.addEventListener("input", function () {
        state.q = search.value.trim().toLowerCase();
        state.page = 0;
        draw();
      });
    }
    tbody.addEventListener("click", function (ev) {
      var tr = ev.target.closest("tr[data-href]");
      if (tr && !ev.target.closest("a")) window.location.href = tr.dataset.href;
    });
    draw();
  }

  function initChart(fig) {
    if (fig.dataset.ready || typeof Plotly === "undefined") return;
    fig.dataset.ready = "1";
    var spec = readJSON(fig.querySelector("script.atlas-figure"));
    Plotly.newPlot(fig.querySelector(".atlas-plot"), spec.data, spec.layout || {}, {
      responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"]
    });
  }

  function init(root) {
    root.querySelectorAll(".atlas-table").forEach(initTable);
    root.querySelectorAll(".atlas-chart").forEach(initChart);
  }

  function refresh(region) {
    var key = region.dataset.inputs.split(",").map(function (n) { return choices[n]; }).join(",");
    if (region.dataset.key === key) return;
    var variants = readJSON(region.querySelector(":scope > script.atlas-variants"));
    if (!(key in variants)) return;
    var target = region.querySelector(":scope > .atlas-variant");
    if (typeof Plotly !== "undefined") {
      target.querySelectorAll(".atlas-plot").forEach(function (p) { Plotly.purge(p); });
    }
    target.innerHTML = variants[key];
    region.dataset.key = key;
    init(target);
    target.querySelectorAll(".atlas-region").forEach(refresh);
  }

  function refreshAll() {
    document.querySelectorAll(".atlas-region").forEach(refresh);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-input]").forEach(function (sel) {
      choices[sel.dataset.input] = sel.value;
      sel.addEventListener("change", function () {
        choices[sel.dataset.input] = sel.value;
        refreshAll();
      });
    });
    init(document);
    refreshAll();
  });
})();
