// Draws the RFM report from the JSON object in #report-data. Text from the data goes into the DOM
// with textContent only, and into Plotly escaped by plotlyText.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("report-data").textContent);
  var m = data.metrics;
  var status = document.getElementById("render-status");
  var pending = [];
  var PLOT_CONFIG = { displaylogo: false, responsive: true };
  var integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  var twoDecimals = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var threeDecimals = new Intl.NumberFormat("en-US", { minimumFractionDigits: 3, maximumFractionDigits: 3 });

  function percent(x) { return x == null ? "–" : (100 * x).toFixed(1) + "%"; }
  function number(x, format) { return x == null ? "–" : format.format(x); }
  function plotlyText(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  function element(tag, className, text) {
    var e = document.createElement(tag);
    if (className) { e.className = className; }
    if (text != null) { e.textContent = text; }
    return e;
  }
  function layout(extra) {
    var base = { margin: { l: 60, r: 20, t: 30, b: 60 }, paper_bgcolor: "#ffffff",
      plot_bgcolor: "#ffffff", font: { size: 12 } };
    Object.keys(extra || {}).forEach(function (k) { base[k] = extra[k]; });
    return base;
  }
  function plot(id, traces, extra) {
    pending.push(Plotly.newPlot(id, traces, layout(extra), PLOT_CONFIG));
  }
  function table(id, headings, rows) {
    var t = document.getElementById(id);
    var head = element("thead");
    var tr = element("tr");
    headings.forEach(function (h, i) { tr.appendChild(element("th", i === 0 ? "text" : "", h)); });
    head.appendChild(tr);
    t.appendChild(head);
    var body = element("tbody");
    rows.forEach(function (r) {
      var row = element("tr");
      r.forEach(function (v, i) { row.appendChild(element("td", i === 0 ? "text" : "", v)); });
      body.appendChild(row);
    });
    t.appendChild(body);
  }
  function section(name, draw) {
    try { draw(); } catch (e) { window.recordReportError(name + ": " + e.message); }
  }

  function header() {
    document.getElementById("run-date").textContent = m.runDate;
    document.getElementById("run-input").textContent =
      m.input.path + " (" + m.input.format + ", mapping " + m.input.mapping + ")";
    var tiles = document.getElementById("tiles");
    [["Customers", number(m.customers, integer), "as of " + (m.snapshotDate || "–")],
     ["Transactions used", number(m.rows.used, integer), number(m.rows.cancellations, integer) + " cancellations netted"],
     ["Quarantined", number(m.rows.quarantined, integer), percent(m.rows.quarantined / Math.max(1, m.rows.in))],
     ["KMeans segments", m.kmeans ? String(m.kmeans.k) : "–", m.kmeans ? "on log R, F, M" : ""]
    ].forEach(function (t) {
      var tile = element("div", "tile");
      tile.appendChild(element("div", "label", t[0]));
      tile.appendChild(element("div", "value", t[1]));
      tile.appendChild(element("div", "detail", t[2]));
      tiles.appendChild(tile);
    });
    var rec = document.getElementById("reconciliation");
    rec.appendChild(document.createTextNode("rows in " + integer.format(m.rows.in) + " = used " +
      integer.format(m.rows.used) + " + quarantined " + integer.format(m.rows.quarantined) + " "));
    rec.appendChild(element("span", m.rows.reconciled ? "ok" : "bad", m.rows.reconciled ? "reconciled" : "does not reconcile"));
  }

  function segments() {
    var s = m.segments;
    var names = s.map(function (x) { return plotlyText(x.name); });
    plot("chart-segment-sizes", [{ type: "bar", x: names, y: s.map(function (x) { return x.customers; }),
      marker: { color: "#3b6fb6" }, hovertemplate: "%{x}: %{y:,} customers<extra></extra>" }],
      { title: { text: "Customers" } });
    plot("chart-segment-value", [{ type: "bar", x: names, y: s.map(function (x) { return x.totalMonetary; }),
      marker: { color: "#2a9d8f" }, hovertemplate: "%{x}: %{y:,.0f} net spend<extra></extra>" }],
      { title: { text: "Net spend" } });
    table("segment-table", ["Segment", "Customers", "Share", "Net spend", "Value share",
      "Mean recency (days)", "Mean frequency", "Mean spend", "Mean p(loyal)"],
      s.map(function (x) {
        return [x.name, number(x.customers, integer), percent(x.share), number(x.totalMonetary, integer),
          percent(x.valueShare), number(x.meanRecencyDays, twoDecimals), number(x.meanFrequency, twoDecimals),
          number(x.meanMonetary, twoDecimals), x.meanPLoyal == null ? "–" : percent(x.meanPLoyal)];
      }));
  }

  function grid() {
    var z = [], text = [], hover = [];
    for (var r = 1; r <= 5; r++) {
      var zr = [], tr = [], hr = [];
      for (var f = 1; f <= 5; f++) {
        var c = m.grid.filter(function (g) { return g.r === r && g.f === f; })[0];
        zr.push(c.customers ? c.meanMonetary : null);
        tr.push(plotlyText(c.segment) + "<br>" + integer.format(c.customers));
        hr.push("R " + r + ", F " + f + ": " + plotlyText(c.segment) + "<br>" + integer.format(c.customers) +
          " customers<br>mean spend " + twoDecimals.format(c.meanMonetary));
      }
      z.push(zr); text.push(tr); hover.push(hr);
    }
    plot("chart-grid", [{ type: "heatmap", x: ["F 1", "F 2", "F 3", "F 4", "F 5"], y: ["R 1", "R 2", "R 3", "R 4", "R 5"],
      z: z, text: text, texttemplate: "%{text}", hovertext: hover, hoverinfo: "text",
      colorscale: "Blues", colorbar: { title: { text: "mean spend" } } }],
      { xaxis: { title: { text: "frequency score" } }, yaxis: { title: { text: "recency score" } } });
  }

  function spend() {
    var s = m.segments.filter(function (x) { return x.customers > 0; });
    plot("chart-spend", [{
      type: "box", name: "net spend", x: s.map(function (x) { return plotlyText(x.name); }),
      q1: s.map(function (x) { return x.monetaryP25; }), median: s.map(function (x) { return x.monetaryP50; }),
      q3: s.map(function (x) { return x.monetaryP75; }), lowerfence: s.map(function (x) { return x.monetaryP25; }),
      upperfence: s.map(function (x) { return x.monetaryP75; }), mean: s.map(function (x) { return x.meanMonetary; }),
      marker: { color: "#8e6cc0" } }], { yaxis: { title: { text: "net spend per customer" } } });
  }

  function kmeans() {
    var note = document.getElementById("kmeans-note");
    if (!m.kmeans) { note.textContent = "No KMeans fit."; return; }
    var sel = m.kmeans.selection;
    note.textContent = "KMeans (best of several seeds) on standardised log(1 + recency), log(1 + frequency)" +
      " and log(1 + spend); k = " + sel.chosenK + " (" + String(sel.mode).toLowerCase() + "). Segments are ordered" +
      " by their mean R + F + M score, lowest first.";
    var profiles = data.profiles || [];
    table("kmeans-table", ["Segment", "Customers", "Share", "Mean R+F+M", "Recency (mean)", "Frequency (mean)",
      "Spend (mean)", "Description"], profiles.map(function (p) {
        return [p.segment, number(p.customers, integer), percent(p.share), number(p.rfm_score_mean, twoDecimals),
          number(p.recency_days_mean, twoDecimals), number(p.frequency_mean, twoDecimals),
          number(p.monetary_mean, twoDecimals), p.description || ""];
      }));
    var c = sel.candidates || [];
    if (c.length > 1) {
      plot("chart-k", [{ type: "scatter", mode: "lines+markers", x: c.map(function (x) { return x.k; }),
        y: c.map(function (x) { return x.silhouette; }), name: "silhouette" }],
        { xaxis: { title: { text: "k" } }, yaxis: { title: { text: "silhouette" } } });
    } else {
      document.getElementById("chart-k").hidden = true;
    }
  }

  function loyalty() {
    var l = m.loyalty;
    var note = document.getElementById("loyalty-note");
    if (!l) { note.textContent = "The loyalty model is turned off (rfm.loyalty.enabled = false)."; return; }
    note.textContent = "Features from the transactions before " + l.cutoff + ", label: a purchase on or after it (" +
      l.horizonDays + "-day horizon). " + integer.format(l.trainRows) + " customers trained on, " +
      integer.format(l.testRows) + " held out; " + percent(l.positiveShare) + " of them came back, so always" +
      " predicting the majority class scores " + percent(l.majorityAccuracy) + ". p_loyal comes from " +
      l.predictor + (l.note ? ". " + l.note : ".");
    var rows = [["majority class", number(l.testRows, integer), percent(l.majorityAccuracy), "0.500", "–", "–"]];
    (l.models || []).forEach(function (x) {
      rows.push([x.model.replace(/_/g, " "), number(x.testRows, integer), percent(x.accuracy),
        number(x.rocAuc, threeDecimals), percent(x.precision), percent(x.recall)]);
    });
    table("loyalty-table", ["Model", "Held-out customers", "Accuracy", "ROC AUC", "Precision", "Recall"], rows);
  }

  function quality() {
    var reasons = m.quarantineReasons || {};
    var keys = Object.keys(reasons);
    document.getElementById("quality-note").textContent = integer.format(m.rows.quarantined) +
      " of " + integer.format(m.rows.in) + " transaction lines quarantined (a line can have several reasons); " +
      integer.format(m.rows.cancellations) + " cancellations and returns netted against spend.";
    if (!keys.length) { document.getElementById("chart-quarantine").hidden = true; return; }
    plot("chart-quarantine", [{ type: "bar", orientation: "h", y: keys.map(plotlyText),
      x: keys.map(function (k) { return reasons[k]; }), marker: { color: "#c05780" } }],
      { margin: { l: 220, r: 20, t: 20, b: 40 } });
  }

  section("header", header);
  if (m.segments) {
    section("segments", segments);
    section("grid", grid);
    section("spend", spend);
    section("kmeans", kmeans);
    section("loyalty", loyalty);
  }
  section("quality", quality);
  Promise.all(pending).then(function () {
    status.dataset.status = "rendered";
  }, function (e) {
    window.recordReportError("plot: " + e);
    status.dataset.status = "failed";
  });
})();
