// The order page's Gantt: planned vs actual bars from the JSON the server embedded (frappe-gantt).
(function () {
  var holder = document.getElementById("gantt");
  var data = document.getElementById("gantt-data");
  if (!holder || !data || typeof Gantt === "undefined") return;
  var tasks = JSON.parse(data.textContent);
  if (!tasks.length) return;
  new Gantt(holder, tasks, {
    view_mode: "Day",
    language: "zh",
    readonly: true,
    bar_height: 22,
    padding: 14,
    popup_on: "click",
    today_button: false,
    view_mode_select: false
  });
  holder.setAttribute("data-ready", "1");
})();
