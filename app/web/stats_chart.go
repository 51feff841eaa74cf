package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/yimayou/yimayou/app/stats"
)

// seriesChart draws scans as bars (left axis) and unique visitors (daily
// series) or page views (hourly) as a line on its own axis (right), as
// inline SVG made on the server: no chart library, prints and works
// offline. Each bucket is a focusable group with a <title>, so a pointer
// or the keyboard shows its numbers (console.js copies them into the
// readout under the chart; without script the browser's tooltip shows
// them); the same numbers are in the table under the chart for screen
// readers. The bucket at partial (-1: none), a day or hour still under
// way, is drawn hatched and its line segment dashed, so that it does not
// read as a collapse.
func seriesChart(v *view, pts []stats.Point, hourly, visitors bool, partial int) template.HTML {
	return drawChart(v, pts, hourly, visitors, false, partial)
}

// minuteChart draws the live view's minutes the same way; the current
// minute is partial.
func minuteChart(v *view, pts []stats.Point) template.HTML {
	return drawChart(v, pts, false, false, true, len(pts)-1)
}

func drawChart(v *view, pts []stats.Point, hourly, visitors, minutes bool, partial int) template.HTML {
	const w, h, padL, padR, padT, padB = 720, 220, 44, 44, 10, 26
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
	scanName := v.T("stats.figure.scan")
	var topBar, topLine int64 = 1, 1
	for _, p := range pts {
		topBar = max(topBar, p.Counts[stats.MetricScan])
		topLine = max(topLine, line(p))
	}
	topBar = niceCeil(topBar)
	div := divisions(topBar)
	// The line's axis has the same divisions, each a round number.
	topLine = niceCeil((topLine+div-1)/div) * div
	plotW, plotH := float64(w-padL-padR), float64(h-padT-padB)
	step := plotW / float64(len(pts))
	yOf := func(top int64) func(int64) float64 {
		return func(n int64) float64 { return padT + plotH - plotH*float64(n)/float64(top) }
	}
	y, yLine := yOf(topBar), yOf(topLine)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">`, w, h)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title>`, template.HTMLEscapeString(v.T("stats.chart.title", scanName, lineName)))
	b.WriteString(`<defs><pattern id="partial-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/><line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern></defs>`)
	// Divisions that land on whole, round numbers; the line's axis on the
	// right uses the same divisions of its own top.
	for i := int64(0); i <= div; i++ {
		n, ln := topBar*i/div, topLine*i/div
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/><text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`,
			padL, w-padR, y(n), y(n), padL-4, y(n)+4, groupDigits(n))
		fmt.Fprintf(&b, `<text class="axis axis-line" x="%d" y="%.1f" text-anchor="start">%s</text>`, w-padR+4, y(n)+4, groupDigits(ln))
	}
	labelEvery := max(1, len(pts)/8)
	var poly, dashed []string
	for i, p := range pts {
		x := padL + step*float64(i)
		n := p.Counts[stats.MetricScan]
		bw := max(step*0.7, 1)
		class := "bar"
		note := ""
		if i == partial {
			class, note = "bar partial", " · "+v.T("statscmp.partial")
		}
		tip := fmt.Sprintf("%s: %s %s · %s %s%s", p.Label, groupDigits(n), scanName, groupDigits(line(p)), lineName, note)
		fmt.Fprintf(&b, `<g class="pt" tabindex="0" aria-label="%s"><title>%s</title><rect class="hit" x="%.1f" y="%d" width="%.1f" height="%.1f"/><rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/></g>`,
			template.HTMLEscapeString(tip), template.HTMLEscapeString(tip), x, padT, step, plotH,
			class, x+(step-bw)/2, y(n), bw, padT+plotH-y(n))
		pt := fmt.Sprintf("%.1f,%.1f", x+step/2, yLine(line(p)))
		switch {
		case i == partial && i > 0:
			dashed = append(dashed, poly[len(poly)-1], pt)
		case i != partial:
			poly = append(poly, pt)
		}
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
	if len(dashed) > 0 {
		fmt.Fprintf(&b, `<polyline class="line partial" points="%s"/>`, strings.Join(dashed, " "))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every dynamic text above is escaped
}

// divisions splits an axis whose top is a niceCeil into whole steps.
func divisions(top int64) int64 {
	switch {
	case top%5 == 0:
		return 5
	case top%4 == 0:
		return 4
	case top%2 == 0:
		return 2
	}
	return 1
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
