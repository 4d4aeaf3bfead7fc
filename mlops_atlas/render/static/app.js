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

  // A row set of a browser filter as a bitmap: a list of row numbers or a base64 bitset
  // (byte k holds rows 8k..8k+7, lowest bit first).
  function decodeSet(raw, n) {
    var bytes = new Uint8Array((n + 7) >> 3);
    if (typeof raw === "string") {
      var bin = atob(raw);
      for (var b = 0; b < bin.length && b < bytes.length; b++) bytes[b] = bin.charCodeAt(b);
    } else {
      raw.forEach(function (i) { bytes[i >> 3] |= 1 << (i & 7); });
    }
    return bytes;
  }

  // Universe rows every selected option keeps, in universe order (the same array while
  // the filter's own inputs are unchanged).
  function filteredRows(id) {
    var spec = readJSON(document.getElementById(id));
    var names = Object.keys(spec.inputs);
    var key = names.map(function (n) { return choices[n]; }).join(",");
    if (spec._key === key) return spec._rows;
    spec._sets = spec._sets || {};
    var sets = [];
    names.forEach(function (n) {
      var raw = spec.inputs[n][choices[n]];
      if (raw === null || raw === undefined) return;  // this option keeps every row
      var k = n + ":" + choices[n];
      if (!(k in spec._sets)) spec._sets[k] = decodeSet(raw, spec.rows);
      sets.push(spec._sets[k]);
    });
    var rows = [];
    for (var i = 0; i < spec.rows; i++) {
      var keep = 1;
      for (var s = 0; s < sets.length && keep; s++) keep = (sets[s][i >> 3] >> (i & 7)) & 1;
      if (keep) rows.push(i);
    }
    spec._key = key;
    spec._rows = rows;
    return rows;
  }

  function thousands(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // Text that follows a browser filter: the count of its rows or a value of one row.
  function refreshLive(el) {
    var rows = filteredRows(el.dataset.filter);
    if (el.dataset.live === "count") {
      el.textContent = thousands(rows.length);
      return;
    }
    var data = readJSON(el.querySelector("script.atlas-live-data"));
    var i = rows[data.row];
    el.querySelector(".atlas-live-text").textContent = i === undefined ? data.missing : data.values[i];
  }

  function compare(a, b) {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: "base" });
  }

  // One CSV field: quoted when it holds a comma, quote or line break; text that a spreadsheet
  // would run as a formula (=, +, -, @, tab, CR first) is prefixed with ' (OWASP's advice).
  function csvField(v) {
    if (v === null || v === undefined) return "";
    var text = String(v);
    if (typeof v === "string" && /^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  // The table's query rows as CSV: every column of the query, the rows the dropdowns keep, in
  // the query's order (the search box and the sort order only change what is shown).
  function downloadCSV(data, rows, keyOf, name) {
    var spec = data.download;
    var lines = [spec.columns.map(csvField).join(",")];
    rows.forEach(function (i) {
      lines.push(spec.columns.map(function (_, c) {
        var shown = spec.shown[c];
        return csvField(shown === null ? spec.extra[c][i] : keyOf(i, shown));
      }).join(","));
    });
    var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name + ".csv";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
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
    var all = data.cells.map(function (_, i) { return i; });
    // Sort keys per row, or (browser-filtered tables) per column, where null means the text.
    var keyOf = data.keys
      ? function (i, c) { return data.keys[i][c]; }
      : function (i, c) { var col = data.columnKeys[c]; return col ? col[i] : data.cells[i][c]; };
    var filter = root.dataset.filter;
    var order = filter ? filteredRows(filter) : all;

    function rows() {
      var idx = order.filter(function (i) { return !state.q || haystack[i].indexOf(state.q) >= 0; });
      if (state.col >= 0) {
        idx.sort(function (a, b) {
          var ka = keyOf(a, state.col), kb = keyOf(b, state.col);
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
    var download = root.querySelector(".atlas-download");
    if (download) {
      download.addEventListener("click", function () {
        downloadCSV(data, order, keyOf, root.dataset.query);
      });
    }
    tbody.addEventListener("click", function (ev) {
      var tr = ev.target.closest("tr[data-href]");
      if (tr && !ev.target.closest("a")) window.location.href = tr.dataset.href;
    });
    if (filter) {
      root._atlasRefilter = function () {
        var now = filteredRows(filter);
        if (now === order) return;
        order = now;
        state.page = 0;
        draw();
      };
    }
    draw();
  }

  function initChart(fig) {
    if (fig.dataset.ready || typeof Plotly === "undefined") return;
    fig.dataset.ready = "1";
    var spec = readJSON(fig.querySelector("script.atlas-figure"));
    var plot = fig.querySelector(".atlas-plot");
    Plotly.newPlot(plot, spec.data, spec.layout || {}, {
      responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"]
    });
    // A point whose trace carries links (customdata, relative URLs the build wrote) opens its page.
    plot.on("plotly_click", function (ev) {
      var point = ev && ev.points && ev.points[0];
      var link = point && point.customdata;
      if (typeof link === "string" && link) window.location.href = link;
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
    document.querySelectorAll(".atlas-table[data-filter]").forEach(function (t) {
      if (t._atlasRefilter) t._atlasRefilter();
    });
    document.querySelectorAll(".atlas-live").forEach(refreshLive);
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
