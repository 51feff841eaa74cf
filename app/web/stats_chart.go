package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/yimayou/yimayou/app/stats"
)

// seriesChart draws scans as bars and unique visitors (daily series) or
// page views (hourly) as a line, as inline SVG made on the server: no
// script, no chart library, prints and works offline. Each bar carries a
// <title> so a pointer shows its numbers; the same numbers are in the
// table under the chart for screen readers.
func seriesChart(v *view, pts []stats.Point, hourly, visitors bool) template.HTML {
	return drawChart(v, pts, hourly, visitors, false)
}

// minuteChart draws the live view's minutes the same way.
func minuteChart(v *view, pts []stats.Point) template.HTML {
	return drawChart(v, pts, false, false, true)
}

func drawChart(v *view, pts []stats.Point, hourly, visitors, minutes bool) template.HTML {
	const w, h, padL, padR, padT, padB = 720, 220, 44, 8, 10, 26
	if len(pts) == 0 {
		return ""
	}
	line := func(p stats.Point) int64 {
		if !hourly && visitors {
			return p.Visitors
		}
		return p.Counts[stats.MetricView]
	}
	lineName := v.T("stats.figure.view")
	if !hourly && visitors {
		lineName = v.T("stats.figure.visitors")
	}
	var top int64 = 1
	for _, p := range pts {
		top = max(top, p.Counts[stats.MetricScan], line(p))
	}
	top = niceCeil(top)
	plotW, plotH := float64(w-padL-padR), float64(h-padT-padB)
	step := plotW / float64(len(pts))
	y := func(n int64) float64 { return padT + plotH - plotH*float64(n)/float64(top) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">`, w, h)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title>`, template.HTMLEscapeString(v.T("stats.chart.title", v.T("stats.figure.scan"), lineName)))
	// Divisions that land on whole, round numbers.
	div := int64(1)
	switch {
	case top%5 == 0:
		div = 5
	case top%4 == 0:
		div = 4
	case top%2 == 0:
		div = 2
	}
	for i := int64(0); i <= div; i++ {
		n := top * i / div
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/><text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`,
			padL, w-padR, y(n), y(n), padL-4, y(n)+4, groupDigits(n))
	}
	labelEvery := max(1, len(pts)/8)
	var poly []string
	for i, p := range pts {
		x := padL + step*float64(i)
		n := p.Counts[stats.MetricScan]
		bw := max(step*0.7, 1)
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %s %s · %s %s</title></rect>`,
			x+(step-bw)/2, y(n), bw, padT+plotH-y(n), template.HTMLEscapeString(p.Label),
			groupDigits(n), template.HTMLEscapeString(v.T("stats.figure.scan")), groupDigits(line(p)), template.HTMLEscapeString(lineName))
		poly = append(poly, fmt.Sprintf("%.1f,%.1f", x+step/2, y(line(p))))
		if i%labelEvery == 0 {
			label := p.Label
			switch {
			case minutes:
				label = label[len(label)-5:]
			case hourly:
				label = label[len(label)-2:] + ":00"
			default:
				label = label[5:]
			}
			fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+step/2, h-8, label)
		}
	}
	fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(poly, " "))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every dynamic text above is escaped
}

// niceCeil rounds n up to 1, 2 or 5 times a power of ten, for round grid
// lines.
func niceCeil(n int64) int64 {
	p := int64(1)
	for p*10 <= n {
		p *= 10
	}
	for _, m := range []int64{1, 2, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}
