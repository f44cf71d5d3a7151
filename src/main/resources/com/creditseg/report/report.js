// Draws the report from the JSON object in #report-data. Text from the data goes into the DOM
// with textContent only, and into Plotly (which understands a little HTML) escaped by plotlyText.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("report-data").textContent);
  var segments = data.segments;
  var status = document.getElementById("render-status");
  var pending = [];

  // Riskiest red through amber to safest green, the same in every chart.
  var RISK_COLOURS = ["#c62828", "#ef6c00", "#f2b01e", "#7cb342", "#2e7d32"];
  var FACTOR_COLOURS = ["#3b6fb6", "#8e6cc0", "#2a9d8f", "#d98c2b", "#c05780", "#5f7d95",
    "#9c755f", "#4e9f3d"];
  var NO_REASON_COLOUR = "#cbd2d9";
  var PLOT_CONFIG = {
    displaylogo: false, responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "resetScale2d"]
  };

  var integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  var oneDecimal = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var threeDecimals = new Intl.NumberFormat("en-US", { minimumFractionDigits: 3, maximumFractionDigits: 3 });
  var compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumSignificantDigits: 3 });

  function percent(x, digits) {
    return x == null ? "–" : (100 * x).toFixed(digits == null ? 1 : digits) + "%";
  }
  function number(x, format) {
    return x == null ? "–" : format.format(x);
  }

  /** Plotly renders a small set of HTML tags and entities in its text: escape what the data says. */
  function plotlyText(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function pretty(column) {
    return String(column).replace(/_/g, " ");
  }

  var indexByRank = {};
  segments.forEach(function (s, i) { indexByRank[s.rank] = i; });
  function segment(rank) { return segments[indexByRank[rank]]; }
  function label(rank) {
    var s = segment(rank);
    return plotlyText(s ? s.label : "segment " + rank);
  }
  function mix(a, b, t) {
    var pa = parseInt(a.slice(1), 16), pb = parseInt(b.slice(1), 16);
    var out = [16, 8, 0].map(function (shift) {
      var ca = (pa >> shift) & 255, cb = (pb >> shift) & 255;
      return Math.round(ca + (cb - ca) * t);
    });
    return "rgb(" + out.join(",") + ")";
  }
  function colour(rank) {
    var i = indexByRank[rank];
    var t = segments.length <= 1 ? 1 : i / (segments.length - 1);
    var pos = t * (RISK_COLOURS.length - 1);
    var lo = Math.min(Math.floor(pos), RISK_COLOURS.length - 2);
    return mix(RISK_COLOURS[lo], RISK_COLOURS[lo + 1], pos - lo);
  }
  function translucent(rgb, alpha) {
    return rgb.replace("rgb(", "rgba(").replace(")", "," + alpha + ")");
  }

  function element(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text != null) { e.textContent = text; }
    return e;
  }

  function baseLayout(extra) {
    var layout = {
      font: { family: "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", size: 12, color: "#1f2933" },
      margin: { l: 64, r: 24, t: 44, b: 56 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "#ffffff",
      hoverlabel: { font: { size: 12 } },
      modebar: { bgcolor: "rgba(255,255,255,0.8)", color: "#9aa5b1", activecolor: "#2458a6" },
      legend: { orientation: "h", y: 1.02, yanchor: "bottom", x: 0, xanchor: "left" }
    };
    Object.keys(extra || {}).forEach(function (key) { layout[key] = extra[key]; });
    return layout;
  }
  function axis(title, extra) {
    var a = { title: { text: title }, gridcolor: "#eef0f3", zerolinecolor: "#d5dae1", automargin: true };
    Object.keys(extra || {}).forEach(function (key) { a[key] = extra[key]; });
    return a;
  }
  /**
   * An axis range that shows the bulk of the values: the 1st to 99th percentile widened by half its
   * span on each side, never beyond the data. A few extreme customers (an income clipped to the
   * quality maximum, say) would otherwise squash everyone else into a line.
   */
  function robustRange(values, mustShow) {
    var sorted = values.filter(function (v) { return v != null; }).sort(function (a, b) { return a - b; });
    if (!sorted.length) { return null; }
    function quantile(p) { return sorted[Math.round(p * (sorted.length - 1))]; }
    var span = quantile(0.99) - quantile(0.01) || 1;
    var from = Math.max(sorted[0], quantile(0.01) - span / 2);
    var to = Math.min(sorted[sorted.length - 1], quantile(0.99) + span / 2);
    (mustShow || []).forEach(function (v) {
      if (v != null) { from = Math.min(from, v); to = Math.max(to, v); }
    });
    var pad = 0.05 * (to - from || 1);
    return [from - pad, to + pad];
  }
  function outside(range, v) {
    return range != null && v != null && (v < range[0] || v > range[1]);
  }

  function emptyNote(text) {
    return {
      text: text, showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5,
      font: { size: 14, color: "#616e7c" }
    };
  }

  /** Draws one chart; a failure is recorded and the other charts still draw. */
  function plot(id, traces, layout) {
    try {
      pending.push(Plotly.newPlot(id, traces, baseLayout(layout), PLOT_CONFIG));
    } catch (e) {
      window.recordReportError("chart " + id + ": " + (e && e.stack ? e.stack : e));
    }
  }
  function section(name, draw) {
    try {
      draw();
    } catch (e) {
      window.recordReportError(name + ": " + (e && e.stack ? e.stack : e));
    }
  }

  // ---- Header --------------------------------------------------------------------------------
  function header() {
    var run = data.run;
    var k = data.kSelection;
    document.getElementById("run-date").textContent = run.runDate;
    document.getElementById("run-input").textContent =
      "Input " + run.inputPath + " (" + run.inputFormat + ", mapping " + run.mapping + ")" +
      (run.finishedAt ? " · finished " + run.finishedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC") : "");
    var chosen = k.candidates.filter(function (c) { return c.k === k.chosenK; })[0];
    var ks = k.candidates.map(function (c) { return c.k; });
    var scored = segments.reduce(function (sum, s) { return sum + s.customers; }, 0);
    var meanScore = segments.reduce(function (sum, s) {
      return sum + (s.scoreMean == null ? 0 : s.scoreMean * s.customers);
    }, 0) / Math.max(1, scored);
    var hasDefaults = segments.some(function (s) { return s.defaultRate != null; });
    var defaultRate = segments.reduce(function (sum, s) {
      return sum + (s.defaultRate == null ? 0 : s.defaultRate * s.customers);
    }, 0) / Math.max(1, scored);
    var tiles = [
      ["Customers in", number(run.rowsIn, integer), "input rows"],
      ["Segmented", number(run.rowsOut, integer), percent(run.rowsIn ? run.rowsOut / run.rowsIn : null) + " of input"],
      ["Quarantined", number(run.rowsQuarantined, integer), number(run.rowsDeduplicated, integer) + " duplicates removed"],
      ["Segments (k)", String(k.chosenK), k.mode === "auto"
        ? "chosen by silhouette, k " + Math.min.apply(null, ks) + "–" + Math.max.apply(null, ks)
        : "fixed in configuration"],
      ["Silhouette", chosen && chosen.silhouette != null ? threeDecimals.format(chosen.silhouette) : "–", "at k = " + k.chosenK],
      ["Mean score", number(meanScore, oneDecimal), "range " + run.scoreMin + "–" + run.scoreMax]
    ];
    if (hasDefaults) {
      tiles.push(["Default rate", percent(defaultRate), "observed label"]);
    }
    var box = document.getElementById("tiles");
    tiles.forEach(function (t) {
      var tile = element("div", "tile");
      tile.appendChild(element("div", "label", t[0]));
      tile.appendChild(element("div", "value", t[1]));
      tile.appendChild(element("div", "detail", t[2]));
      box.appendChild(tile);
    });
    var rec = document.getElementById("reconciliation");
    rec.appendChild(document.createTextNode(
      "Rows: " + integer.format(run.rowsIn) + " in = " + integer.format(run.rowsOut) + " segmented + " +
      integer.format(run.rowsQuarantined) + " quarantined + " + integer.format(run.rowsDeduplicated) +
      " deduplicated  "));
    rec.appendChild(element("span", run.reconciled ? "ok" : "bad",
      run.reconciled ? "✓ reconciled" : "✗ does not reconcile"));
  }

  // ---- Profile table -------------------------------------------------------------------------
  function profileTable() {
    var hasDefaults = segments.some(function (s) { return s.defaultRate != null; });
    var columns = [
      { title: "Segment", key: "rank", text: true, cell: function (s, td) {
        var swatch = element("span", "swatch");
        swatch.style.background = colour(s.rank);
        td.appendChild(swatch);
        td.appendChild(element("span", "segment-name", s.label));
      } },
      { title: "Customers", key: "customers", format: function (v) { return number(v, integer); } },
      { title: "Share", key: "share", format: function (v) { return percent(v); } },
      { title: "Score mean", key: "scoreMean", format: function (v) { return number(v, oneDecimal); } },
      { title: "Min", key: "scoreMin", format: function (v) { return number(v, integer); } },
      { title: "p25", key: "scoreP25", format: function (v) { return number(v, integer); } },
      { title: "Median", key: "scoreP50", format: function (v) { return number(v, integer); } },
      { title: "p75", key: "scoreP75", format: function (v) { return number(v, integer); } },
      { title: "Max", key: "scoreMax", format: function (v) { return number(v, integer); } }
    ];
    if (hasDefaults) {
      columns.push({ title: "Default rate", key: "defaultRate", format: function (v) { return percent(v); } });
    }
    columns.push({ title: "Description", key: "description", text: true, className: "description" });

    var table = document.getElementById("profile-table");
    var head = element("thead");
    var headRow = element("tr");
    var body = element("tbody");
    var sort = { key: "rank", direction: 1 };

    function fill() {
      var rows = segments.slice().sort(function (a, b) {
        var x = a[sort.key], y = b[sort.key];
        if (x == null) { return 1; }
        if (y == null) { return -1; }
        return (x < y ? -1 : x > y ? 1 : 0) * sort.direction;
      });
      body.textContent = "";
      rows.forEach(function (s) {
        var tr = element("tr");
        columns.forEach(function (c) {
          var td = element("td", (c.text ? "text " : "") + (c.className || ""));
          if (c.cell) {
            c.cell(s, td);
          } else {
            td.textContent = c.format ? c.format(s[c.key]) : (s[c.key] == null ? "–" : s[c.key]);
          }
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      Array.prototype.forEach.call(headRow.children, function (th, i) {
        th.setAttribute("aria-sort", columns[i].key === sort.key
          ? (sort.direction > 0 ? "ascending" : "descending") : "none");
      });
    }
    columns.forEach(function (c) {
      var th = element("th", c.text ? "text" : "", c.title);
      th.title = "Sort by " + c.title.toLowerCase();
      th.addEventListener("click", function () {
        sort = { key: c.key, direction: sort.key === c.key ? -sort.direction : 1 };
        fill();
      });
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    table.appendChild(body);
    fill();
  }

  // ---- Projection ----------------------------------------------------------------------------
  function projection() {
    var p = data.projection;
    var variance = p.explainedVariance;
    var total = variance.reduce(function (a, b) { return a + b; }, 0);
    document.getElementById("projection-note").textContent =
      (p.sampled < p.population
        ? "A fixed sample of " + integer.format(p.sampled) + " of " + integer.format(p.population) + " customers"
        : "All " + integer.format(p.sampled) + " customers") +
      ", placed by the first two principal components of the clustering features as KMeans saw them, scaled and weighted (together " +
      percent(total, 0) + " of their variance). Diamonds mark the segment centres. Segments that " +
      "overlap here can still be apart in the dimensions this view leaves out.";
    var allX = [], allY = [];
    p.points.forEach(function (s) { allX = allX.concat(s.x); allY = allY.concat(s.y); });
    var xRange = robustRange(allX, p.centroids.map(function (c) { return c.x; }));
    var yRange = robustRange(allY, p.centroids.map(function (c) { return c.y; }));
    var hidden = allX.filter(function (x, i) { return outside(xRange, x) || outside(yRange, allY[i]); }).length;
    if (hidden > 0) {
      document.getElementById("projection-note").textContent += " " + integer.format(hidden) +
        (hidden === 1 ? " customer with extreme values lies" : " customers with extreme values lie") +
        " outside this view: use Autoscale in the chart's toolbar to include " + (hidden === 1 ? "it." : "them.");
    }
    var traces = p.points.map(function (s) {
      return {
        type: "scatter", mode: "markers", name: label(s.rank), x: s.x, y: s.y,
        marker: { color: colour(s.rank), size: 5, opacity: 0.55 },
        hovertemplate: "%{fullData.name}<br>PC1 %{x:.2f}, PC2 %{y:.2f}<extra></extra>"
      };
    });
    traces.push({
      type: "scatter", mode: "markers+text", name: "Segment centres",
      x: p.centroids.map(function (c) { return c.x; }),
      y: p.centroids.map(function (c) { return c.y; }),
      text: p.centroids.map(function (c) { return label(c.rank); }),
      textposition: "top center", textfont: { size: 12, color: "#1f2933" },
      marker: {
        symbol: "diamond", size: 16, line: { color: "#1f2933", width: 2 },
        color: p.centroids.map(function (c) { return colour(c.rank); })
      },
      hovertemplate: "centre of %{text}<br>PC1 %{x:.2f}, PC2 %{y:.2f}<extra></extra>"
    });
    plot("chart-projection", traces, {
      xaxis: axis("PC1 (" + percent(variance[0], 0) + " of variance)", { range: xRange }),
      yaxis: axis(variance.length > 1 ? "PC2 (" + percent(variance[1], 0) + " of variance)" : "", { range: yRange })
    });
  }

  // ---- Scores --------------------------------------------------------------------------------
  function scores() {
    var s = data.scores;
    var width = s.binWidth;
    var centres = s.binStarts.map(function (b) { return b + width / 2; });
    var ranges = s.binStarts.map(function (b) { return b + "–" + (b + width - 1); });
    var histogram = s.histogram.map(function (c) {
      return {
        type: "bar", name: label(c.rank), x: centres, y: c.counts, width: width,
        customdata: ranges, marker: { color: colour(c.rank), line: { width: 0 } },
        hovertemplate: "%{fullData.name}<br>score %{customdata}: %{y:,} customers<extra></extra>"
      };
    });
    plot("chart-score-histogram", histogram, {
      legend: { orientation: "h", y: 1.02, yanchor: "bottom", x: 0, xanchor: "left", traceorder: "normal" },
      title: { text: "Customers by credit score", x: 0, xanchor: "left", font: { size: 14 } },
      barmode: "stack", bargap: 0,
      margin: { l: 64, r: 16, t: 80, b: 56 },
      xaxis: axis("credit score"), yaxis: axis("customers")
    });
    var bandNames = s.bands.map(function (b) {
      return plotlyText(b.name) + "<br>" + b.from + "–" + b.to;
    });
    var bands = s.bandCounts.map(function (c) {
      return {
        type: "bar", name: label(c.rank), x: bandNames, y: c.counts,
        marker: { color: colour(c.rank) },
        hovertemplate: "%{fullData.name}<br>%{x}: %{y:,} customers<extra></extra>"
      };
    });
    plot("chart-score-bands", bands, {
      title: { text: "Customers by score band", x: 0, xanchor: "left", font: { size: 14 } },
      barmode: "stack", showlegend: false,
      margin: { l: 64, r: 16, t: 80, b: 56 },
      xaxis: axis(""), yaxis: axis("customers")
    });
  }

  // ---- Features ------------------------------------------------------------------------------
  function features() {
    var grid = document.getElementById("feature-grid");
    var categories = segments.map(function (s) { return label(s.rank); });
    // Every cell first: the grid sizes its columns by how many cells it has, and Plotly takes a
    // chart's size from its cell when it draws.
    data.features.forEach(function (f, i) {
      var div = element("div", "chart small");
      div.id = "chart-feature-" + i;
      grid.appendChild(div);
    });
    data.features.forEach(function (f, i) {
      var id = "chart-feature-" + i;
      var boxes = f.boxes.filter(function (b) { return b.q1 != null && b.q3 != null; });
      var traces = boxes.map(function (b) {
        var c = colour(b.rank);
        return {
          type: "box", name: label(b.rank), x: [label(b.rank)],
          q1: [b.q1], median: [b.median], q3: [b.q3], mean: [b.mean],
          lowerfence: [b.lowerFence], upperfence: [b.upperFence],
          boxmean: true, boxpoints: false,
          marker: { color: c }, line: { color: c, width: 1.5 }, fillcolor: translucent(c, 0.35)
        };
      });
      traces.push({
        type: "scatter", mode: "markers", name: "min / max",
        x: boxes.map(function (b) { return label(b.rank); }).concat(boxes.map(function (b) { return label(b.rank); })),
        y: boxes.map(function (b) { return b.min; }).concat(boxes.map(function (b) { return b.max; })),
        marker: {
          symbol: "line-ew-open", size: 12, line: { width: 2 },
          color: boxes.map(function (b) { return colour(b.rank); }).concat(boxes.map(function (b) { return colour(b.rank); }))
        },
        hovertemplate: "%{x}: %{y:,.4~f}<extra>min / max</extra>"
      });
      var inBox = [];
      boxes.forEach(function (b) { inBox.push(b.lowerFence, b.upperFence, b.q1, b.q3, b.mean); });
      var yRange = robustRange(inBox);
      if (yRange) {
        var lo = Math.min.apply(null, inBox.filter(function (v) { return v != null; }));
        var hi = Math.max.apply(null, inBox.filter(function (v) { return v != null; }));
        var pad = 0.08 * (hi - lo || Math.abs(hi) || 1);
        yRange = [lo - pad, hi + pad];
      }
      var annotations = [];
      boxes.forEach(function (b) {
        if (yRange && b.max != null && b.max > yRange[1]) {
          annotations.push({ x: label(b.rank), y: 1, yref: "paper", yanchor: "bottom", showarrow: false,
            text: "max " + compact.format(b.max) + " ↑", font: { size: 10, color: colour(b.rank) } });
        }
        if (yRange && b.min != null && b.min < yRange[0]) {
          annotations.push({ x: label(b.rank), y: 0, yref: "paper", yanchor: "bottom", showarrow: false,
            text: "min " + compact.format(b.min) + " ↓", font: { size: 10, color: colour(b.rank) } });
        }
      });
      plot(id, traces, {
        title: { text: plotlyText(pretty(f.feature)), x: 0, xanchor: "left", font: { size: 14 } },
        showlegend: false,
        margin: { l: 64, r: 12, t: 44, b: 44 },
        xaxis: axis("", { categoryorder: "array", categoryarray: categories }),
        yaxis: axis("", yRange ? { range: yRange } : {}),
        annotations: annotations
      });
    });
  }

  // ---- Correlation ---------------------------------------------------------------------------
  function correlation() {
    var c = data.correlation;
    var names = c.columns.map(function (n) { return plotlyText(pretty(n)); });
    plot("chart-correlation", [{
      type: "heatmap", z: c.matrix, x: names, y: names, zmin: -1, zmax: 1,
      colorscale: [[0, "#b2182b"], [0.25, "#ef8a62"], [0.5, "#f7f7f7"], [0.75, "#67a9cf"], [1, "#2166ac"]],
      texttemplate: "%{z:.2f}", textfont: { size: 10 },
      hovertemplate: "%{y} and %{x}: %{z:.3f}<extra></extra>",
      colorbar: { title: { text: "r" }, thickness: 14 }
    }], {
      margin: { l: 170, r: 24, t: 24, b: 150 },
      xaxis: { tickangle: -40, automargin: true },
      yaxis: { autorange: "reversed", automargin: true }
    });
  }

  // ---- Choosing k ----------------------------------------------------------------------------
  function chooseK() {
    var sel = data.kSelection;
    var ks = sel.candidates.map(function (c) { return c.k; });
    var note = document.getElementById("k-note");
    if (sel.mode === "auto") {
      note.textContent = "k was chosen automatically: k = " + sel.chosenK + " has the highest silhouette " +
        "(how much closer customers sit to their own segment's centre than to the next one; higher is " +
        "better) among k = " + Math.min.apply(null, ks) + "–" + Math.max.apply(null, ks) + ". The " +
        "within-cluster sum of squares always falls as k grows" +
        (sel.elbowK != null ? "; its elbow, where more segments stop paying off, is at k = " + sel.elbowK : "") +
        ". Both are measured on the fit sample.";
    } else {
      note.textContent = "k was fixed at " + sel.chosenK + " in the configuration (segment.k), so only that " +
        "fit is shown. Set segment.k = auto to compare a range of k by silhouette and sum of squares.";
    }
    var shapes = [{
      type: "line", xref: "x", yref: "paper", x0: sel.chosenK, x1: sel.chosenK, y0: 0, y1: 1,
      line: { color: "#1f2933", width: 1, dash: "dot" }
    }];
    var annotations = [{
      x: sel.chosenK, y: 1, xref: "x", yref: "paper", xanchor: "left", yanchor: "top", xshift: 6,
      showarrow: false, text: "chosen k = " + sel.chosenK, font: { size: 12 }
    }];
    if (sel.elbowK != null && sel.elbowK !== sel.chosenK) {
      var elbow = sel.candidates.filter(function (c) { return c.k === sel.elbowK; })[0];
      if (elbow) {
        annotations.push({
          x: sel.elbowK, y: elbow.wcss, xref: "x", yref: "y", text: "elbow", ax: 30, ay: -30,
          arrowcolor: "#2458a6", font: { color: "#2458a6" }
        });
      }
    }
    plot("chart-k", [
      {
        type: "scatter", mode: "lines+markers", name: "within-cluster sum of squares", x: ks,
        y: sel.candidates.map(function (c) { return c.wcss; }),
        line: { color: "#2458a6", width: 2 }, marker: { size: 8 },
        hovertemplate: "k = %{x}: WCSS %{y:,.0f}<extra></extra>"
      },
      {
        type: "scatter", mode: "lines+markers", name: "silhouette", x: ks, yaxis: "y2",
        y: sel.candidates.map(function (c) { return c.silhouette; }),
        line: { color: "#d97706", width: 2 }, marker: { size: 8 },
        hovertemplate: "k = %{x}: silhouette %{y:.3f}<extra></extra>"
      }
    ], {
      margin: { l: 80, r: 80, t: 60, b: 56 },
      legend: { orientation: "h", y: 1.02, yanchor: "bottom", x: 1, xanchor: "right" },
      xaxis: axis("k (segments)", { dtick: 1 }),
      yaxis: axis("within-cluster sum of squares", { rangemode: "tozero" }),
      yaxis2: axis("silhouette", { overlaying: "y", side: "right", showgrid: false }),
      shapes: shapes, annotations: annotations
    });
  }

  // ---- Data quality --------------------------------------------------------------------------
  function quality() {
    var q = data.quality;
    var repairs = q.repairsByColumn;
    var repaired = Object.keys(repairs).reduce(function (sum, key) { return sum + repairs[key]; }, 0);
    document.getElementById("quality-note").textContent =
      integer.format(q.rowsQuarantined) + " of " + integer.format(q.rowsIn) + " input rows (" +
      percent(q.rowsIn ? q.rowsQuarantined / q.rowsIn : 0, 2) + ") were quarantined with a reason and " +
      integer.format(q.rowsDeduplicated) + " duplicate rows removed; " + integer.format(repaired) +
      " values were repaired in place (a missing value imputed with the median, an out-of-range one " +
      "clipped). Left: quarantined rows per reason. Right: repairs per column.";

    var reasons = Object.keys(q.quarantinedByReason);
    var reasonCounts = reasons.map(function (r) { return q.quarantinedByReason[r]; });
    var byColumn = q.quarantinedByReasonAndColumn;
    var detail = reasons.map(function (r) {
      return Object.keys(byColumn).filter(function (key) { return key.indexOf(r + ":") === 0; })
        .map(function (key) { return plotlyText(key.slice(r.length + 1)) + " " + integer.format(byColumn[key]); })
        .join("<br>");
    });
    var names = reasons.map(function (r) { return plotlyText(pretty(r)); });
    var colours = reasons.map(function () { return "#c2410c"; });
    if (q.rowsDeduplicated > 0) {
      names.push("duplicate rows removed");
      reasonCounts.push(q.rowsDeduplicated);
      detail.push("");
      colours.push("#94a3b8");
    }
    plot("chart-quarantine", [{
      type: "bar", orientation: "h", y: names, x: reasonCounts, customdata: detail,
      marker: { color: colours },
      hovertemplate: "%{y}: %{x:,} rows<br>%{customdata}<extra></extra>"
    }], {
      title: { text: "Rows quarantined per reason", x: 0, xanchor: "left", font: { size: 14 } },
      bargap: names.length < 4 ? 0.55 : 0.25,
      margin: { l: 150, r: 16, t: 44, b: 48 },
      xaxis: axis("rows", { visible: names.length > 0 }),
      yaxis: axis("", { autorange: "reversed", visible: names.length > 0 }),
      annotations: names.length ? [] : [emptyNote("No rows were quarantined")]
    });

    var kinds = {};
    Object.keys(repairs).forEach(function (key) {
      var at = key.indexOf(":");
      var kind = at < 0 ? "repaired" : key.slice(0, at);
      var column = at < 0 ? key : key.slice(at + 1);
      (kinds[kind] = kinds[kind] || {})[column] = repairs[key];
    });
    var columns = [];
    Object.keys(kinds).forEach(function (kind) {
      Object.keys(kinds[kind]).forEach(function (c) { if (columns.indexOf(c) < 0) { columns.push(c); } });
    });
    var kindColours = { imputed: "#3b6fb6", clipped: "#d98c2b" };
    var traces = Object.keys(kinds).map(function (kind) {
      return {
        type: "bar", orientation: "h", name: plotlyText(kind),
        y: columns.map(function (c) { return plotlyText(pretty(c)); }),
        x: columns.map(function (c) { return kinds[kind][c] || 0; }),
        marker: { color: kindColours[kind] || "#7f8c8d" },
        hovertemplate: "%{y}: %{x:,} %{fullData.name}<extra></extra>"
      };
    });
    plot("chart-repairs", traces, {
      title: { text: "Values repaired per column", x: 0, xanchor: "left", font: { size: 14 } },
      barmode: "stack",
      margin: { l: 190, r: 16, t: 44, b: 48 },
      legend: { orientation: "h", y: -0.2, x: 0 },
      xaxis: axis("values", { visible: columns.length > 0 }),
      yaxis: axis("", { autorange: "reversed", visible: columns.length > 0 }),
      annotations: columns.length ? [] : [emptyNote("No values were repaired")]
    });
  }

  // ---- Reason codes --------------------------------------------------------------------------
  function reasonCodes() {
    var r = data.reasonCodes;
    var x = r.segments.map(function (s) { return label(s.rank); });
    var traces = r.codes.map(function (code, i) {
      return {
        type: "bar", name: plotlyText(pretty(code)), x: x,
        y: r.segments.map(function (s) { return s.customers ? 100 * s.primary[i] / s.customers : 0; }),
        customdata: r.segments.map(function (s) {
          return [s.primary[i], s.customers ? 100 * s.any[i] / s.customers : 0];
        }),
        marker: { color: FACTOR_COLOURS[i % FACTOR_COLOURS.length] },
        hovertemplate: "%{x} · %{fullData.name}<br>first reason for %{y:.1f}% (%{customdata[0]:,} customers)" +
          "<br>among the reasons of %{customdata[1]:.1f}%<extra></extra>"
      };
    });
    traces.push({
      type: "bar", name: "no reason code", x: x,
      y: r.segments.map(function (s) {
        var primary = s.primary.reduce(function (a, b) { return a + b; }, 0);
        return s.customers ? 100 * (s.customers - primary) / s.customers : 0;
      }),
      marker: { color: NO_REASON_COLOUR },
      hovertemplate: "%{x}: %{y:.1f}% lost under half a point on every factor<extra></extra>"
    });
    plot("chart-reasons", traces, {
      barmode: "stack",
      legend: { orientation: "h", y: 1.02, yanchor: "bottom", x: 0, xanchor: "left", traceorder: "normal" },
      margin: { l: 64, r: 16, t: 60, b: 56 },
      xaxis: axis("", { categoryorder: "array", categoryarray: x }),
      yaxis: axis("share of the segment's customers (%)", { range: [0, 100] })
    });
  }

  // ---- Stability since the previous run ----------------------------------------------------
  function stability() {
    var st = data.stability;
    if (!st) {
      return;
    }
    document.getElementById("stability").hidden = false;
    var c = st.continuity;
    var continuity = "";
    if (c && c.matched) {
      var fresh = c.segments.filter(function (s) { return s.newSegment; });
      var relabelled = c.segments.filter(function (s) { return s.labelChanged; });
      continuity = " " + (c.segments.length - fresh.length) + " segments continue one of the previous run's (same cluster id)" +
        (fresh.length ? ", " + fresh.length + " new (" + fresh.map(function (s) { return s.label; }).join(", ") + ")" : "") +
        (relabelled.length ? ", " + relabelled.length + " relabelled" : "") +
        (c.retired.length ? "; previous clusters " + c.retired.join(", ") + " have no successor" : "") + ".";
    } else if (c && c.note) {
      continuity = " Segments were not matched: " + c.note + ".";
    }
    var against = st.migration.length
      ? "Compared with the run of " + st.previousRunDate
      : "Compared with the population the model was fitted on (run of " + st.previousRunDate + ")";
    document.getElementById("stability-note").textContent =
      against + ": " + st.verdict + " (credit score PSI " +
      st.score.psi.toFixed(3) + "). PSI below " + st.psiInvestigate + " is stable, from " +
      st.psiInvestigate + " to " + st.psiSignificant + " worth investigating, above a significant shift." +
      continuity + " Left: PSI per variable. " + (st.migration.length
        ? "Right: where the previous run's customers are now (share of each previous segment; blank: not in that run)."
        : "No customer-by-customer migration: the model's bundle holds bin counts, not customers.");
    var psis = [st.score].concat(st.features).concat(st.models || []);
    var verdictColour = { stable: "#2e7d32", investigate: "#d97706", significant: "#c62828" };
    plot("chart-psi", [{
      type: "bar", orientation: "h",
      y: psis.map(function (p) { return pretty(p.variable); }),
      x: psis.map(function (p) { return p.psi; }),
      marker: { color: psis.map(function (p) { return verdictColour[p.verdict]; }) },
      hovertemplate: "%{y}: PSI %{x:.4f}<extra></extra>"
    }], {
      margin: { l: 170, r: 24, t: 24, b: 56 },
      xaxis: axis("population stability index", { rangemode: "tozero" }),
      yaxis: { automargin: true, autorange: "reversed" },
      shapes: [st.psiInvestigate, st.psiSignificant].map(function (x) {
        return { type: "line", x0: x, x1: x, yref: "paper", y0: 0, y1: 1, line: { dash: "dot", color: "#888" } };
      })
    });
    var name = function (segment) { return segment == null ? "(absent)" : segment; };
    var rows = [], cols = [];
    st.migration.forEach(function (f) {
      if (rows.indexOf(name(f.previousSegment)) < 0) { rows.push(name(f.previousSegment)); }
      if (cols.indexOf(name(f.segment)) < 0) { cols.push(name(f.segment)); }
    });
    var z = rows.map(function () { return cols.map(function () { return null; }); });
    var text = rows.map(function () { return cols.map(function () { return ""; }); });
    st.migration.forEach(function (f) {
      var r = rows.indexOf(name(f.previousSegment)), k = cols.indexOf(name(f.segment));
      z[r][k] = 100 * f.share;
      text[r][k] = integer.format(f.customers) + " customers";
    });
    plot("chart-migration", [{
      type: "heatmap", x: cols.map(plotlyText), y: rows.map(plotlyText), z: z, text: text,
      colorscale: "Blues", zmin: 0, zmax: 100,
      hovertemplate: "%{y} \u2192 %{x}: %{z:.1f}% (%{text})<extra></extra>"
    }], {
      margin: { l: 120, r: 24, t: 24, b: 80 },
      xaxis: axis("segment in this run"),
      yaxis: axis("segment in the previous run")
    });
  }

  // ---- Risk order of the segments ------------------------------------------------------------
  function riskOrder() {
    var r = data.riskOrder;
    if (!r) {
      return;
    }
    var note = document.getElementById("risk-order-note");
    note.hidden = false;
    note.textContent = "Segments are labelled from riskiest to safest by " + r.orderedBy + "; " +
      (r.monotone ? "their default rates over every labelled customer follow that order" :
        "their default rates over every labelled customer do not follow that order (see below)") +
      (r.scoreAgrees ? ", and so do their mean credit scores." :
        ". The rule score orders the segments differently from their default rates: its mean " +
        "does not rise from the riskiest label to the safest, so it is not measuring the risk the " +
        "default label sees.");
    if (!r.monotone) {
      var warning = document.getElementById("risk-order-warning");
      warning.hidden = false;
      warning.appendChild(element("strong", null, "The segment labels are not in risk order. "));
      warning.appendChild(document.createTextNode("Default rate by label, riskiest label first: " +
        r.segments.map(function (s) { return s.segment + " " + percent(s.defaultRate); }).join(", ") + ". "));
      if (r.advice) {
        warning.appendChild(document.createTextNode(r.advice));
      }
    }
  }

  // ---- Supervised models ---------------------------------------------------------------------
  var MODEL_COLOURS = { "scorecard": "#2458a6", "random-forest": "#2a9d8f",
    "gradient-boosted-trees": "#d98c2b", "rule-score": "#7b8794" };
  var RULE_SCORE = "rule-score";
  function modelName(model) {
    return model === RULE_SCORE ? "rule score" : pretty(model).replace(/-/g, " ");
  }
  function modelColour(model, i) {
    return MODEL_COLOURS[model] || FACTOR_COLOURS[i % FACTOR_COLOURS.length];
  }

  /** A table from columns {title, text, value(row) -> text, flag(row) -> bool} and rows. */
  function figuresTable(id, columns, rows, groupStart) {
    var table = document.getElementById(id);
    var head = element("thead");
    var headRow = element("tr");
    columns.forEach(function (c) { headRow.appendChild(element("th", c.text ? "text" : "", c.title)); });
    head.appendChild(headRow);
    var body = element("tbody");
    rows.forEach(function (row, i) {
      var tr = element("tr", groupStart && i > 0 && groupStart(row, rows[i - 1]) ? "group-start" : "");
      columns.forEach(function (c) {
        var td = element("td", [c.text ? "text" : "", c.className || "",
          c.flag && c.flag(row) ? "flag" : ""].join(" ").trim(), c.value(row));
        if (c.flag && c.flag(row) && c.flagTitle) { td.title = c.flagTitle; }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.appendChild(head);
    table.appendChild(body);
  }

  function supervised() {
    var sup = data.supervised;
    if (!sup) {
      return;
    }
    document.getElementById("supervised").hidden = false;
    var m = sup.models;
    var models = m.models;
    var cv = m.crossValidation;
    document.getElementById("supervised-note").textContent =
      "Models of the label " + m.label + ", fitted on " + integer.format(m.trainRows) + " customers (" +
      integer.format(m.trainEvents) + " defaults) and measured on " + integer.format(m.validationRows) +
      " held-out customers (" + integer.format(m.validationEvents) + " defaults, " +
      percent(m.validationRows ? m.validationEvents / m.validationRows : null) + "), split " + m.split +
      "; class balance in training: " + String(m.balance).toLowerCase() + "." +
      (cv ? " The scorecard's ROC AUC cross-validated over " + cv.folds + " folds of all labelled " +
        "customers: " + number(cv.meanRocAuc, threeDecimals) + " (folds " +
        cv.rocAuc.map(function (a) { return number(a, threeDecimals); }).join(", ") + ")." : "") +
      " Every figure below is on the held-out customers. The cutoff is the probability of default " +
      "at or above which a customer is refused, chosen to minimise the cost of missed defaults and " +
      "refused good customers.";

    var columns = [
      { title: "Model", text: true, value: function (x) { return modelName(x.model); } },
      { title: "Inputs", text: true, className: "values", value: function (x) { return x.inputs; } },
      { title: "ROC AUC", value: function (x) { return number(x.validation.rocAuc, threeDecimals); } }
    ];
    if (cv) {
      columns.push({ title: "CV ROC AUC", value: function (x) {
        return x.model === "scorecard" ? number(cv.meanRocAuc, threeDecimals) : "–";
      } });
    }
    columns = columns.concat([
      { title: "Gini", value: function (x) { return number(x.validation.gini, threeDecimals); } },
      { title: "KS", value: function (x) { return number(x.validation.ks, threeDecimals); } },
      { title: "PR AUC", value: function (x) { return number(x.validation.prAuc, threeDecimals); } },
      { title: "Brier", value: function (x) {
        return x.model === RULE_SCORE ? "–" : number(x.validation.brier, threeDecimals);
      } },
      { title: "Cutoff (PD ≥)", value: function (x) { return number(x.validation.decision.cutoff, threeDecimals); } },
      { title: "Approval rate", value: function (x) { return percent(x.validation.decision.approvalRate); } },
      { title: "Precision", value: function (x) { return percent(x.validation.decision.precision); } },
      { title: "Recall", value: function (x) { return percent(x.validation.decision.recall); } },
      { title: "F1", value: function (x) { return number(x.validation.decision.f1, threeDecimals); } }
    ]);
    figuresTable("model-table", columns, models);
    var rule = models.filter(function (x) { return x.model === RULE_SCORE; })[0];
    document.getElementById("model-table-note").textContent = rule
      ? "The rule score is the run's credit score turned into a probability by " +
        "its place in the score range: only its ranking is meaningful (ROC AUC, Gini, KS, PR AUC, and " +
        "the refusals at a cutoff), not its calibration, so it has no Brier score here and no " +
        "calibration curve."
      : "";

    // ROC curves: every model, the rule score dashed.
    var roc = models.map(function (x, i) {
      var rankingOnly = x.model === RULE_SCORE;
      return {
        type: "scatter", mode: "lines",
        name: plotlyText(modelName(x.model)) + " (AUC " + number(x.validation.rocAuc, threeDecimals) + ")" +
          (rankingOnly ? ", ranking only" : ""),
        x: x.validation.roc.map(function (p) { return p.fpr; }),
        y: x.validation.roc.map(function (p) { return p.tpr; }),
        customdata: x.validation.roc.map(function (p) { return p.threshold; }),
        line: { color: modelColour(x.model, i), width: rankingOnly ? 1.5 : 2, dash: rankingOnly ? "dash" : "solid" },
        hovertemplate: "%{fullData.name}<br>refusing PD ≥ %{customdata:.3f}: " +
          "%{y:.1%} of defaults, %{x:.1%} of the others<extra></extra>"
      };
    });
    plot("chart-roc", roc, {
      title: { text: "ROC curves on the held-out customers", x: 0, xanchor: "left", font: { size: 14 } },
      margin: { l: 64, r: 16, t: 44, b: 56 },
      legend: { orientation: "v", y: 0.03, yanchor: "bottom", x: 0.98, xanchor: "right",
        bgcolor: "rgba(255,255,255,0.85)" },
      xaxis: axis("false positive rate (good customers refused)", { range: [0, 1], tickformat: ".0%" }),
      yaxis: axis("true positive rate (defaults refused)", { range: [0, 1], tickformat: ".0%" }),
      shapes: [{ type: "line", x0: 0, y0: 0, x1: 1, y1: 1, line: { color: "#9aa5b1", width: 1, dash: "dot" } }]
    });

    // KS of the scorecard.
    var card = models.filter(function (x) { return x.model === "scorecard"; })[0];
    if (card) {
      var v = card.validation;
      var curve = v.ksCurve;
      var best = curve.reduce(function (a, p) { return p.separation > a.separation ? p : a; }, curve[0]);
      var ksTraces = [
        { name: "defaults refused", colour: "#c62828", key: "eventShare" },
        { name: "good customers refused", colour: "#2e7d32", key: "nonEventShare" }
      ].map(function (c) {
        return {
          type: "scatter", mode: "lines", name: c.name,
          x: curve.map(function (p) { return p.refusedShare; }),
          y: curve.map(function (p) { return p[c.key]; }),
          customdata: curve.map(function (p) { return p.threshold; }),
          line: { color: c.colour, width: 2 },
          hovertemplate: "refusing %{x:.1%} (PD ≥ %{customdata:.3f}): %{y:.1%} of " + c.name.split(" ")[0] +
            "<extra></extra>"
        };
      });
      var ksShapes = [], ksNotes = [];
      if (best) {
        ksTraces.push({
          type: "scatter", mode: "lines+markers", name: "KS " + number(v.ks, threeDecimals),
          x: [best.refusedShare, best.refusedShare], y: [best.nonEventShare, best.eventShare],
          line: { color: "#1f2933", width: 2, dash: "dot" }, marker: { size: 7, color: "#1f2933" },
          hovertemplate: "KS " + number(v.ks, threeDecimals) + " at PD ≥ " + number(v.ksThreshold, threeDecimals) +
            "<extra></extra>"
        });
        ksNotes.push({
          x: best.refusedShare, y: (best.eventShare + best.nonEventShare) / 2, xanchor: "left", xshift: 8,
          showarrow: false, font: { size: 12 },
          text: "KS = " + number(v.ks, threeDecimals) + "<br>refusing " + percent(best.refusedShare) +
            " (PD ≥ " + number(v.ksThreshold, threeDecimals) + ")"
        });
      }
      plot("chart-ks", ksTraces, {
        title: { text: "Scorecard KS: what refusing the riskiest share catches", x: 0, xanchor: "left", font: { size: 14 } },
        margin: { l: 64, r: 16, t: 90, b: 56 },
        xaxis: axis("share of customers refused, riskiest first", { range: [0, 1], tickformat: ".0%" }),
        yaxis: axis("cumulative share refused", { range: [0, 1.02], tickformat: ".0%" }),
        shapes: ksShapes, annotations: ksNotes
      });
    }

    // Calibration: the models whose PD is a probability.
    var calibrated = models.filter(function (x) { return x.model !== RULE_SCORE; });
    var top = 0;
    var calibration = calibrated.map(function (x) {
      var bins = x.validation.calibration;
      bins.forEach(function (b) { top = Math.max(top, b.meanPredicted, b.observedRate); });
      return {
        type: "scatter", mode: "lines+markers", name: plotlyText(modelName(x.model)),
        x: bins.map(function (b) { return b.meanPredicted; }),
        y: bins.map(function (b) { return b.observedRate; }),
        customdata: bins.map(function (b) { return [b.decile, b.rows]; }),
        line: { color: modelColour(x.model, models.indexOf(x)), width: 2 }, marker: { size: 7 },
        hovertemplate: "%{fullData.name}, decile %{customdata[0]} (%{customdata[1]:,} customers)<br>" +
          "mean PD %{x:.1%}, observed %{y:.1%}<extra></extra>"
      };
    });
    top = Math.min(1, top * 1.05 || 1);
    calibration.push({
      type: "scatter", mode: "lines", name: "perfect calibration", x: [0, top], y: [0, top],
      line: { color: "#9aa5b1", width: 1, dash: "dot" }, hoverinfo: "skip"
    });
    plot("chart-calibration", calibration, {
      title: { text: "Calibration by decile of predicted PD", x: 0, xanchor: "left", font: { size: 14 } },
      margin: { l: 64, r: 16, t: 44, b: 56 },
      legend: { orientation: "v", y: 0.98, yanchor: "top", x: 0.02, xanchor: "left",
        bgcolor: "rgba(255,255,255,0.85)" },
      xaxis: axis("mean predicted probability of default", { range: [0, top], tickformat: ".0%" }),
      yaxis: axis("observed default rate", { range: [0, top], tickformat: ".0%" })
    });

    // Information value per feature, by status.
    var features = m.features.slice().sort(function (a, b) { return b.iv - a.iv; });
    var statuses = [
      { status: "kept", name: "kept in the scorecard", colour: "#2458a6" },
      { status: "low_iv", name: "dropped: low IV", colour: "#9aa5b1" },
      { status: "collinear", name: "dropped: collinear", colour: "#d98c2b" },
      { status: "wrong_sign", name: "dropped: wrong sign", colour: "#c62828" }
    ];
    var known = statuses.map(function (s) { return s.status; });
    features.forEach(function (f) {
      if (known.indexOf(f.status) < 0) {
        known.push(f.status);
        statuses.push({ status: f.status, name: pretty(f.status), colour: "#8e6cc0" });
      }
    });
    var order = features.map(function (f) { return plotlyText(pretty(f.feature)); });
    var ivTraces = statuses.map(function (s) {
      var these = features.filter(function (f) { return f.status === s.status; });
      return {
        type: "bar", orientation: "h", name: plotlyText(s.name),
        y: these.map(function (f) { return plotlyText(pretty(f.feature)); }),
        x: these.map(function (f) { return f.iv; }),
        customdata: these.map(function (f) { return f.coefficient; }),
        marker: { color: s.colour },
        hovertemplate: "%{y}: IV %{x:.3f}, coefficient %{customdata:.3f}<extra>" + plotlyText(s.name) + "</extra>"
      };
    }).filter(function (t) { return t.y.length > 0; });
    var low = features.filter(function (f) { return f.status === "low_iv"; });
    var passed = features.filter(function (f) { return f.status !== "low_iv"; });
    var below = low.length ? Math.max.apply(null, low.map(function (f) { return f.iv; })) : null;
    var atLeast = passed.length ? Math.min.apply(null, passed.map(function (f) { return f.iv; })) : null;
    var ivShapes = [];
    if (below != null && atLeast != null) {
      ivShapes.push({
        type: "rect", xref: "x", yref: "paper", x0: below, x1: atLeast, y0: 0, y1: 1,
        fillcolor: "rgba(217,140,43,0.18)", line: { width: 0 }
      });
    }
    plot("chart-iv", ivTraces, {
      title: { text: "Information value per feature", x: 0, xanchor: "left", font: { size: 14 } },
      barmode: "overlay",
      margin: { l: 190, r: 16, t: 90, b: 56 },
      xaxis: axis("information value", { rangemode: "tozero" }),
      yaxis: axis("", { categoryorder: "array", categoryarray: order, autorange: "reversed" }),
      shapes: ivShapes
    });
    var left = features.filter(function (f) { return f.note; }).map(function (f) {
      return pretty(f.feature) + " (" + f.status.replace("_", " ") + "): " + f.note;
    });
    document.getElementById("supervised-charts-note").textContent =
      "Top left: the ROC curve of every model; higher and further left ranks defaulters better, the " +
      "dotted diagonal is chance. Top right: refusing the riskiest customers by the scorecard's PD, " +
      "the share of all defaults and of all good customers refused; KS is the widest gap. Bottom " +
      "left: each model's mean predicted PD against the observed default rate, decile by decile; " +
      "on the dotted diagonal the PD is right on average. Bottom right: the information value of " +
      "every feature offered, by whether the scorecard kept it (when a coefficient comes out with " +
      "the wrong sign, the weaker of that feature and its most correlated partner leaves" +
      (left.length ? ": " + left.join("; ") : "") + "). The run does not record its minimum IV " +
      "(model.supervised.binning.min-iv, 0.02 by default), so it is not drawn as a line: " +
      (below != null && atLeast != null
        ? "from the features it lies above " + number(below, threeDecimals) + " and at most " +
          number(atLeast, threeDecimals) + " (shaded)."
        : below != null ? "every feature fell below it; the highest IV was " + number(below, threeDecimals) + "."
        : "no feature fell below it.");

    // The scorecard.
    var rows = sup.scorecard;
    var featureCount = rows.filter(function (r, i) { return i === 0 || rows[i - 1].feature !== r.feature; }).length;
    document.getElementById("scorecard-note").textContent = rows.length
      ? "A customer's scorecard points are the sum of the points of the bin each feature falls in (" +
        featureCount + " features, " + rows.length + " bins); more points, lower risk. WoE is the " +
        "bin's weight of evidence in the training customers. From models/scorecard."
      : "The run has no models/scorecard table.";
    figuresTable("scorecard-table", [
      { title: "Feature", text: true, value: function (r) { return pretty(r.feature); } },
      { title: "Bin", value: function (r) { return String(r.bin); } },
      { title: "Values", text: true, className: "values", value: function (r) { return r.values; } },
      { title: "Customers", value: function (r) { return number(r.customers, integer); } },
      { title: "WoE", value: function (r) { return number(r.woe, threeDecimals); } },
      { title: "Points", value: function (r) { return number(r.points, oneDecimal); } }
    ], rows, function (r, before) { return r.feature !== before.feature; });

    // Fairness at the scorecard's cutoff.
    var fair = m.fairness;
    var fairNote = document.getElementById("fairness-note");
    if (!fair || !fair.attributes.length) {
      fairNote.textContent = "No protected attribute is in the input, so approvals by group were not checked.";
      return;
    }
    var flagged = fair.attributes.filter(function (a) { return a.belowFourFifths; });
    fairNote.textContent = "Held-out customers approved at the scorecard's cutoff (PD < " +
      number(fair.cutoff, threeDecimals) + "), by protected group. A group's impact ratio is its " +
      "approval rate over that of the attribute's most approved group; an adverse impact ratio " +
      "(lowest over highest) below 0.8 fails the four-fifths rule and is shown in red. " +
      (flagged.length
        ? "Below four fifths: " + flagged.map(function (a) {
          return pretty(a.attribute) + " (" + number(a.adverseImpactRatio, threeDecimals) + ", " +
            a.lowestGroup + " against " + a.highestGroup + ")";
        }).join(", ") + "."
        : "No attribute is below four fifths.");
    var groups = [];
    fair.attributes.forEach(function (a) {
      a.groups.forEach(function (g, i) { groups.push({ attribute: a, group: g, first: i === 0 }); });
    });
    figuresTable("fairness-table", [
      { title: "Attribute", text: true, value: function (r) { return r.first ? pretty(r.attribute.attribute) : ""; } },
      { title: "Adverse impact ratio", value: function (r) {
        return r.first ? number(r.attribute.adverseImpactRatio, threeDecimals) +
          (r.attribute.belowFourFifths ? " (below 0.8)" : "") : "";
      }, flag: function (r) { return r.first && r.attribute.belowFourFifths; },
        flagTitle: "below four fifths" },
      { title: "Group", text: true, value: function (r) { return r.group.group; } },
      { title: "Customers", value: function (r) { return number(r.group.rows, integer); } },
      { title: "Approval rate", value: function (r) { return percent(r.group.approvalRate); } },
      { title: "Default rate", value: function (r) { return percent(r.group.defaultRate); } },
      { title: "Impact ratio", value: function (r) { return number(r.group.impactRatio, threeDecimals); },
        flag: function (r) { return r.group.impactRatio < 0.8; }, flagTitle: "below four fifths" }
    ], groups, function (r) { return r.first; });
  }

  section("header", header);
  section("profile table", profileTable);
  section("risk order", riskOrder);
  if (typeof Plotly === "undefined") {
    var notice = element("p", "notice",
      "The charts need plotly.js, which did not load: keep the file plotly.js beside this page.");
    document.querySelector("main").insertBefore(notice, document.querySelector("main").firstChild);
    window.recordReportError("plotly.js did not load");
    status.dataset.status = "failed";
    return;
  }
  section("projection", projection);
  section("scores", scores);
  section("features", features);
  section("correlation", correlation);
  section("choosing k", chooseK);
  section("quality", quality);
  section("reason codes", reasonCodes);
  section("stability", stability);
  section("supervised models", supervised);
  Promise.all(pending).then(function () {
    status.dataset.status = window.reportErrors.length ? "failed" : "rendered";
    status.dataset.charts = String(pending.length);
    status.textContent = "Rendered " + pending.length + " charts.";
  }, function (e) {
    window.recordReportError("a chart failed: " + e);
    status.dataset.status = "failed";
  });
})();
