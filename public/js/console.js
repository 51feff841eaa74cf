// The console's only script: the chart readout. Each bucket of a chart is
// a focusable group labelled with its numbers; pointing at or focusing one
// writes them under the chart (and a screen reader hears them). Without
// this script the browser's tooltip shows the same text.
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('figure.chart-wrap').forEach(function (fig) {
    var out = fig.querySelector('.chart-readout');
    if (!out) return;
    var show = function (e) {
      var pt = e.target.closest && e.target.closest('.pt');
      if (pt) out.textContent = pt.getAttribute('aria-label');
    };
    fig.addEventListener('mouseover', show);
    fig.addEventListener('focusin', show);
  });
});
