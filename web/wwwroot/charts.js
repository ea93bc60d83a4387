// The dashboard's charts on Chart.js (its UMD build from npm, the global `Chart`, loaded by the page before this module):
// the daily series as lines and each funnel as bars. A chart is made once and takes new data on each query.
// Animation is off: the figures are read, not watched.

const colors = ["#1f6feb", "#8250df", "#1a7f37", "#bf8700", "#cf222e", "#1b7c83", "#57606a"];

const charts = new Map();

function draw(canvas, config) {
  const chart = charts.get(canvas);
  if (!chart) return charts.set(canvas, new Chart(canvas, config));
  chart.data = config.data;
  chart.update();
  return chart;
}

const common = { animation: false, responsive: true, maintainAspectRatio: false };

/** DB-1's daily series: one line a count (`lines`: [{ key, label }]), the reply rate in % on its own axis at the right. */
export function seriesChart(canvas, series, lines) {
  const datasets = lines.map((line, i) => ({
    label: line.label, data: series.map((d) => d.figures[line.key]), borderColor: colors[i % colors.length], backgroundColor: colors[i % colors.length], yAxisID: "y",
  }));
  datasets.push({
    label: "回复率 Reply rate %", data: series.map((d) => (d.figures.replyRate === null ? null : d.figures.replyRate * 100)),
    borderColor: colors[6], backgroundColor: colors[6], borderDash: [4, 4], yAxisID: "rate",
  });
  draw(canvas, {
    type: "line",
    data: { labels: series.map((d) => d.day), datasets },
    options: {
      ...common,
      interaction: { mode: "index", intersect: false },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, rate: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false } } },
    },
  });
}

/** DB-4: a funnel's steps as horizontal bars, each step named by `names`. */
export function funnelChart(canvas, steps, names, color) {
  draw(canvas, {
    type: "bar",
    data: { labels: steps.map((s) => names[s.step] ?? s.step), datasets: [{ label: "人数 Visitors", data: steps.map((s) => s.count), backgroundColor: color }] },
    options: { ...common, indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}
