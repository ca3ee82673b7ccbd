// The hunt report's charts (inlined into report.html by scripts/report.py, after Apache ECharts and
// topojson-client). Data comes from the JSON block #report-data; every string from the logs is
// escaped before it reaches a tooltip (ECharts renders tooltips as HTML). When every chart has
// rendered, <html data-charts-ready="N"> is set (the browser test waits for it).
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var SEV = { high: "#c62828", medium: "#ef6c00", low: "#f2b705" };
  var SHADE = { high: "rgba(198,40,40,0.20)", medium: "rgba(239,108,0,0.16)", low: "rgba(242,183,5,0.18)" };
  var SEV_RANK = { high: 0, medium: 1, low: 2 };
  var COLORS = { requests: "#1f5fa8", c4: "#b26a00", c5: "#b71c1c", flagged: "#c62828", plain: "#5b7fa6", land: "#dfe4ea" };
  var BUCKET_MS = D.bucket_minutes * 60000;
  var charts = [];
  var pending = 0;

  function esc(v) {
    return String(v === null || v === undefined ? "" : v).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function pad2(n) { return (n < 10 ? "0" : "") + n; }
  function utc(ms, withSeconds) {
    var d = new Date(ms);
    return d.getUTCFullYear() + "-" + pad2(d.getUTCMonth() + 1) + "-" + pad2(d.getUTCDate()) + " " +
      pad2(d.getUTCHours()) + ":" + pad2(d.getUTCMinutes()) + (withSeconds ? ":" + pad2(d.getUTCSeconds()) : "");
  }
  function num(v) { return Number(v || 0).toLocaleString("en-US"); }
  function sevOf(s) { return SEV[s] ? s : "low"; }

  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) return null;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    pending += 1;
    var done = false;
    chart.on("finished", function () {
      if (done) return;
      done = true;
      pending -= 1;
      if (pending === 0) document.documentElement.setAttribute("data-charts-ready", String(charts.length));
    });
    chart.setOption(Object.assign({ animation: false, useUTC: true, textStyle: { fontFamily: "inherit" } }, option));
    charts.push(chart);
    return chart;
  }

  // Every finding's window, merged per severity into disjoint bands (a window shorter than one
  // bucket is widened to one bucket so that it stays visible).
  function bands(findings) {
    var by = { high: [], medium: [], low: [] };
    findings.forEach(function (f) {
      if (f.first_ms === null || f.last_ms === null) return;
      by[sevOf(f.severity)].push([f.first_ms, Math.max(f.last_ms, f.first_ms + BUCKET_MS), f]);
    });
    var out = [];
    ["low", "medium", "high"].forEach(function (sev) {
      var iv = by[sev].sort(function (a, b) { return a[0] - b[0]; });
      var cur = null;
      iv.forEach(function (x) {
        if (cur && x[0] <= cur.end) {
          cur.end = Math.max(cur.end, x[1]);
          cur.findings.push(x[2]);
        } else {
          cur = { sev: sev, start: x[0], end: x[1], findings: [x[2]] };
          out.push(cur);
        }
      });
    });
    return out;
  }
  var BANDS = bands(D.findings);
  window.__cfBands = BANDS.map(function (b) { return { severity: b.sev, start: b.start, end: b.end, findings: b.findings.length }; });

  function markArea() {
    return {
      silent: false,
      label: { show: false },
      emphasis: { disabled: true },
      tooltip: {
        formatter: function (p) {
          var b = BANDS[p.dataIndex];
          var lines = b.findings.slice(0, 8).map(function (f) {
            return esc(f.hunt) + " · " + esc(f.entity_type) + " " + esc(String(f.entity).slice(0, 60));
          });
          if (b.findings.length > 8) lines.push("… and " + (b.findings.length - 8) + " more");
          return "<b>" + esc(b.sev) + "</b> " + utc(b.start) + " → " + utc(b.end) + "<br>" + lines.join("<br>");
        }
      },
      data: BANDS.map(function (b) {
        return [{ xAxis: b.start, itemStyle: { color: SHADE[b.sev] } }, { xAxis: b.end }];
      })
    };
  }

  function timeline() {
    var T = D.timeline;
    var per = D.bucket_minutes === 1 ? "minute" : D.bucket_minutes + " min";
    var xMin = T.length ? T[0][0] : null, xMax = T.length ? T[T.length - 1][0] + BUCKET_MS : null;
    var xAxis = function (grid, labels) {
      return { type: "time", gridIndex: grid, min: xMin, max: xMax, axisLabel: { show: labels, hideOverlap: true, formatter: TIME_LABELS },
               axisTick: { show: labels }, splitLine: { show: true, lineStyle: { color: "#eef1f4" } } };
    };
    var chart = make("chart-timeline", {
      tooltip: { trigger: "axis", axisPointer: { type: "line" },
        formatter: function (ps) {
          if (!ps.length) return "";
          return "<b>" + utc(ps[0].value[0]) + " UTC</b><br>" + ps.map(function (p) {
            return p.marker + esc(p.seriesName) + ": " + num(p.value[1]);
          }).join("<br>");
        } },
      axisPointer: { link: [{ xAxisIndex: "all" }] },
      legend: { top: 0, data: ["requests / " + per, "4xx / " + per, "5xx / " + per] },
      grid: [{ left: 70, right: 30, top: 36, height: 190 }, { left: 70, right: 30, top: 262, height: 110 }],
      xAxis: [xAxis(0, false), xAxis(1, true)],
      yAxis: [{ gridIndex: 0, name: "requests", nameTextStyle: { align: "left" }, splitLine: { lineStyle: { color: "#eef1f4" } } },
              { gridIndex: 1, name: "errors", nameTextStyle: { align: "left" }, splitLine: { lineStyle: { color: "#eef1f4" } } }],
      dataZoom: [{ type: "inside", xAxisIndex: [0, 1] },
                 { type: "slider", xAxisIndex: [0, 1], bottom: 6, height: 22, labelFormatter: function (v) { return utc(v); } }],
      series: [
        { id: "requests", name: "requests / " + per, type: "line", xAxisIndex: 0, yAxisIndex: 0, showSymbol: false,
          sampling: "lttb", lineStyle: { width: 1.2, color: COLORS.requests }, itemStyle: { color: COLORS.requests },
          areaStyle: { color: "rgba(31,95,168,0.12)" }, data: T.map(function (r) { return [r[0], r[1]]; }),
          markArea: markArea() },
        { id: "c4", name: "4xx / " + per, type: "line", xAxisIndex: 1, yAxisIndex: 1, showSymbol: false, sampling: "lttb",
          lineStyle: { width: 1.2, color: COLORS.c4 }, itemStyle: { color: COLORS.c4 },
          data: T.map(function (r) { return [r[0], r[2]]; }), markArea: markArea() },
        { id: "c5", name: "5xx / " + per, type: "line", xAxisIndex: 1, yAxisIndex: 1, showSymbol: false, sampling: "lttb",
          lineStyle: { width: 1.2, color: COLORS.c5 }, itemStyle: { color: COLORS.c5 },
          data: T.map(function (r) { return [r[0], r[3]]; }) },
        { id: "selected", name: "selected finding", type: "line", xAxisIndex: 0, yAxisIndex: 0, data: [], silent: true,
          markArea: { silent: true, itemStyle: { color: "rgba(0,0,0,0.06)", borderColor: "#222", borderWidth: 1.5, borderType: "dashed" }, data: [] } }
      ]
    });
    chart.group = "timeline";

    // One lane per hunt (worst severity first), one bar per finding.
    var hunts = {};
    D.findings.forEach(function (f) {
      var h = hunts[f.hunt] || (hunts[f.hunt] = { name: f.hunt, rank: 9, n: 0 });
      h.rank = Math.min(h.rank, SEV_RANK[f.severity] === undefined ? 3 : SEV_RANK[f.severity]);
      h.n += 1;
    });
    var lanes = Object.keys(hunts).map(function (k) { return hunts[k]; })
      .sort(function (a, b) { return a.rank - b.rank || b.n - a.n || (a.name < b.name ? -1 : 1); })
      .map(function (h) { return h.name; }).reverse();
    var laneEl = document.getElementById("chart-lanes");
    laneEl.style.height = Math.max(90, 34 + 24 * lanes.length) + "px";
    var laneChart = make("chart-lanes", {
      tooltip: { trigger: "item", formatter: function (p) {
        var f = D.findings[p.value[3]];
        return "<b>" + esc(f.severity) + " · " + esc(f.hunt) + "</b><br>" + esc(f.entity_type) + " " +
          esc(String(f.entity).slice(0, 80)) + "<br>" + utc(f.first_ms, true) + " → " + utc(f.last_ms, true) +
          "<br>" + num(f.requests) + " requests";
      } },
      grid: { left: 170, right: 30, top: 6, bottom: 26 },
      xAxis: { type: "time", min: xMin, max: xMax, axisLabel: { hideOverlap: true, formatter: TIME_LABELS }, splitLine: { show: true, lineStyle: { color: "#eef1f4" } } },
      yAxis: { type: "category", data: lanes, axisTick: { show: false }, axisLabel: { fontFamily: "ui-monospace, monospace", fontSize: 11 } },
      dataZoom: [{ type: "inside", xAxisIndex: 0 }],
      series: [{ type: "custom", id: "lanes", encode: { x: [0, 1], y: 2 },
        renderItem: function (params, api) {
          var lane = api.value(2);
          var a = api.coord([api.value(0), lane]), b = api.coord([api.value(1), lane]);
          var h = api.size([0, 1])[1] * 0.56;
          var shape = echarts.graphic.clipRectByRect(
            { x: a[0], y: a[1] - h / 2, width: Math.max(b[0] - a[0], 3), height: h },
            { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height });
          return shape && { type: "rect", shape: shape, style: api.style({ opacity: 0.85 }) };
        },
        data: D.findings.map(function (f, i) {
          return { value: [f.first_ms, Math.max(f.last_ms, f.first_ms + BUCKET_MS), lanes.indexOf(f.hunt), i],
                   itemStyle: { color: SEV[sevOf(f.severity)] } };
        }) }]
    });
    laneChart.group = "timeline";
    echarts.connect("timeline");
    return chart;
  }

  function huntsChart() {
    var hunts = {};
    D.findings.forEach(function (f) {
      var h = hunts[f.hunt] || (hunts[f.hunt] = { high: 0, medium: 0, low: 0 });
      h[sevOf(f.severity)] += 1;
    });
    var names = Object.keys(hunts).sort(function (a, b) {
      var x = hunts[a], y = hunts[b];
      return (x.high - y.high) || (x.medium - y.medium) || (x.low - y.low) || (a < b ? 1 : -1);
    });
    document.getElementById("chart-hunts").style.height = Math.max(110, 44 + 18 * names.length) + "px";
    make("chart-hunts", {
      title: { text: "Findings per hunt", left: 0, textStyle: { fontSize: 13, fontWeight: 600 } },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, right: 0 },
      grid: { left: 170, right: 30, top: 28, bottom: 20 },
      xAxis: { type: "value", minInterval: 1, name: "findings", nameGap: 8 },
      yAxis: { type: "category", data: names, axisLabel: { fontFamily: "ui-monospace, monospace", fontSize: 11 } },
      series: ["high", "medium", "low"].map(function (s) {
        return { name: s, type: "bar", stack: "n", barMaxWidth: 12, itemStyle: { color: SEV[s] },
                 data: names.map(function (n) { return hunts[n][s]; }) };
      })
    });
  }

  function talkersChart() {
    var t = D.talkers.slice().reverse();
    make("chart-talkers", {
      tooltip: { trigger: "item", formatter: function (p) {
        var r = t[p.dataIndex];
        return "<b>" + esc(r.c_ip) + "</b><br>" + num(r.requests) + " requests (" + (100 * r.share).toFixed(2) + "%)<br>" +
          num(r.distinct_uris) + " distinct URIs · " + (100 * r.error_rate).toFixed(0) + "% errors · " + esc(r.ua_category) +
          (r.hunts.length ? "<br>flagged by " + esc(r.hunts.join(", ")) : "");
      } },
      grid: { left: 120, right: 40, top: 10, bottom: 24 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: t.map(function (r) { return r.c_ip; }),
               axisLabel: { fontFamily: "ui-monospace, monospace", fontSize: 11 } },
      series: [{ type: "bar", barMaxWidth: 16, data: t.map(function (r) {
        return { value: r.requests, itemStyle: { color: r.hunts.length ? COLORS.flagged : COLORS.plain } };
      }) }]
    });
  }

  function edgeLabel(e) { return e.code + (e.city ? " · " + e.city + (e.country_code ? ", " + e.country_code : "") : ""); }

  // Rings that cross the antimeridian (Russia's far east, Fiji) would streak across a flat map:
  // move their western points east of 180 degrees so that each ring stays in one piece.
  function unwrapAntimeridian(feature) {
    var g = feature.geometry;
    if (!g) return;
    var polygons = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    polygons.forEach(function (poly) {
      poly.forEach(function (ring, i) {
        var east = ring.some(function (p) { return p[0] > 150; }), west = ring.some(function (p) { return p[0] < -150; });
        if (east && west) poly[i] = ring.map(function (p) { return [p[0] < 0 ? p[0] + 360 : p[0], p[1]]; });
      });
    });
  }

  // Time axis labels in UTC: the date at midnight, hours and minutes otherwise.
  var TIME_LABELS = { year: "{yyyy}", month: "{yyyy}-{MM}", day: "{MM}-{dd}", hour: "{HH}:{mm}", minute: "{HH}:{mm}",
                      second: "{HH}:{mm}:{ss}", none: "{HH}:{mm}:{ss}" };

  function edgesCharts() {
    var world = JSON.parse(document.getElementById("world-map").textContent);
    var geo = topojson.feature(world, world.objects.countries);
    geo.features = geo.features.filter(function (f) { return f.properties.name !== "Antarctica"; });
    geo.features.forEach(unwrapAntimeridian);
    echarts.registerMap("world", geo);
    var max = D.edges.reduce(function (m, e) { return Math.max(m, e.requests); }, 1);
    var located = D.edges.filter(function (e) { return e.lat !== null && e.lon !== null; });
    make("chart-map", {
      tooltip: { trigger: "item", formatter: function (p) {
        if (p.seriesType !== "scatter") return esc(p.name);
        var e = located[p.dataIndex];
        return "<b>" + esc(edgeLabel(e)) + "</b>" + (e.country ? "<br>" + esc(e.country) : "") + "<br>" + num(e.requests) +
          " requests · " + (100 * e.errors / Math.max(e.requests, 1)).toFixed(1) + "% errors" +
          (e.flagged ? "<br><b>flagged by cf_geo_spikes</b>" : "");
      } },
      geo: { map: "world", roam: true, top: 10, bottom: 10, itemStyle: { areaColor: COLORS.land, borderColor: "#fff", borderWidth: 0.5 },
             emphasis: { disabled: true }, select: { disabled: true } },
      series: [{ type: "scatter", coordinateSystem: "geo",
        symbolSize: function (v) { return 5 + 32 * Math.sqrt(v[2] / max); },
        data: located.map(function (e) {
          return { name: e.code, value: [e.lon, e.lat, e.requests],
                   itemStyle: { color: e.flagged ? COLORS.flagged : COLORS.plain, opacity: 0.75, borderColor: "#fff", borderWidth: 0.8 } };
        }),
        label: { show: true, formatter: "{b}", position: "right", fontSize: 10, color: "#333" },
        labelLayout: { hideOverlap: true } }]
    });
    var top = D.edges.slice(0, 15).reverse();
    make("chart-edges", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: function (ps) {
        var e = top[ps[0].dataIndex];
        return "<b>" + esc(edgeLabel(e)) + "</b><br>" + num(e.requests) + " requests · " + esc(e.pops) + " POP(s)";
      } },
      grid: { left: 150, right: 40, top: 10, bottom: 24 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: top.map(edgeLabel), axisLabel: { fontSize: 11 } },
      series: [{ type: "bar", barMaxWidth: 16, data: top.map(function (e) {
        return { value: e.requests, itemStyle: { color: e.flagged ? COLORS.flagged : COLORS.plain } };
      }) }]
    });
  }

  function guarded(name, fn) {
    try { fn(); } catch (e) {
      var el = document.querySelector('[data-chart="' + name + '"]');
      if (el) el.textContent = "This chart could not be drawn: " + e.message;
      console.error("report chart " + name + ": " + (e && e.stack || e));
    }
  }

  var tl = null;
  guarded("hunts", huntsChart);
  guarded("timeline", function () { tl = timeline(); });
  guarded("talkers", talkersChart);
  guarded("map", edgesCharts);
  if (pending === 0) document.documentElement.setAttribute("data-charts-ready", String(charts.length));
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // Findings table: severity filter, copy a drill-down query, show a finding's window.
  var filter = document.getElementById("severity-filter");
  if (filter) filter.addEventListener("change", function () {
    var on = {};
    filter.querySelectorAll("input").forEach(function (i) { on[i.value] = i.checked; });
    document.querySelectorAll("tr.finding").forEach(function (tr) {
      tr.hidden = on[tr.getAttribute("data-severity")] === false;
    });
  });
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.addEventListener("click", function () {
      var sql = D.findings[Number(b.getAttribute("data-index"))].sql;
      var done = function () { b.textContent = "copied"; setTimeout(function () { b.textContent = "copy"; }, 1500); };
      if (navigator.clipboard) navigator.clipboard.writeText(sql).then(done, function () { b.textContent = "select and copy"; });
    });
  });
  document.querySelectorAll("button.zoom").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!tl) return;
      var f = D.findings[Number(b.getAttribute("data-index"))];
      var end = Math.max(f.last_ms, f.first_ms + BUCKET_MS);
      var margin = Math.max((end - f.first_ms) * 1.5, 30 * 60000);
      tl.setOption({ series: [{ id: "selected", markArea: { data: [[{ xAxis: f.first_ms }, { xAxis: end }]] } }] });
      tl.dispatchAction({ type: "dataZoom", startValue: f.first_ms - margin, endValue: end + margin });
      document.getElementById("timeline").scrollIntoView({ behavior: "smooth" });
    });
  });
})();
