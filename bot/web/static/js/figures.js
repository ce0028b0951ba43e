// The figures page's charts (Chart.js) from the JSON the server embedded; the tables carry the same numbers.
(function () {
  var node = document.getElementById("figures-data");
  if (!node || typeof Chart === "undefined") return;
  var data = JSON.parse(node.textContent);
  var palette = ["#1565c0", "#2e7d32", "#c62828", "#b26a00", "#6a1b9a", "#00838f", "#5d4037", "#455a64"];
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); canvas.setAttribute("data-ready", "1"); }
  }
  draw("on-time-chart", {
    type: "line",
    data: {
      labels: data.months,
      datasets: data.on_time.map(function (row, i) {
        return { label: row.customer, data: row.rates.map(function (r) { return r === null ? null : Math.round(r * 100); }),
                 borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], spanGaps: true };
      })
    },
    options: { maintainAspectRatio: false, animation: false, scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } } } }
  });
  function bars(id, rows, title) {
    draw(id, {
      type: "bar",
      data: { labels: rows.map(function (r) { return r.label; }),
              datasets: [{ label: title, data: rows.map(function (r) { return r.count; }), backgroundColor: "#1565c0" }] },
      options: { maintainAspectRatio: false, animation: false, plugins: { title: { display: true, text: title } },
                 scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  bars("category-chart", data.by_category, "异常按类别");
  bars("milestone-chart", data.by_milestone, "异常按节点");
})();
