package web

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/yimayou/yimayou/app/csvsafe"
	"github.com/yimayou/yimayou/app/stats"
)

// csvTable is one table of a view for export.
type csvTable struct {
	Name string
	Rows [][]string // the first row is the header
}

// sendCSV writes the table named by ?table= (the first by default) as
// UTF-8 CSV with a byte-order mark, which Excel needs to read Chinese
// and Tibetan correctly.
func sendCSV(c *fiber.Ctx, view string, tables []csvTable) error {
	if len(tables) == 0 {
		return fiber.ErrNotFound
	}
	t := tables[0]
	if want := c.Query("table"); want != "" {
		found := false
		for _, x := range tables {
			if x.Name == want {
				t, found = x, true
			}
		}
		if !found {
			return statsBad("table", "stats.error.table")
		}
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	// Names and labels are typed by editors: a spreadsheet must not run
	// one as a formula.
	if err := csvsafe.NewWriter(&buf).WriteAll(t.Rows); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="yimayou-%s-%s.csv"`, view, t.Name))
	return c.Send(buf.Bytes())
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// yuanPlain is yuan for a spreadsheet: "1234.50".
func yuanPlain(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

func figureCells(f stats.Figures, visitors bool) []string {
	var out []string
	for _, n := range stats.FigureNames {
		switch {
		case n == stats.FigureVisitors && !visitors:
			out = append(out, "")
		case n == stats.MetricRevenueFen:
			out = append(out, yuanPlain(f.RevenueFen))
		default:
			out = append(out, i64(f.Value(n)))
		}
	}
	return out
}

func figureHeader(v *view) []string {
	var out []string
	for _, n := range stats.FigureNames {
		out = append(out, v.T("stats.figure."+n))
	}
	return out
}

func overviewTables(v *view, f statsForm, ov stats.Overview) []csvTable {
	head := figureHeader(v)
	series := csvTable{Name: "series", Rows: [][]string{append([]string{v.T("stats.csv.at")}, head...)}}
	for _, p := range ov.Series {
		fig := stats.Figures{Scans: p.Counts[stats.MetricScan], Visitors: p.Visitors, Views: p.Counts[stats.MetricView],
			Audio: p.Counts[stats.MetricAudio], Reserved: p.Counts[stats.MetricReserved], Paid: p.Counts[stats.MetricPaid],
			CheckIns: p.Counts[stats.MetricCheckIn], RevenueFen: p.Counts[stats.MetricRevenueFen] - p.Counts[stats.MetricRefundFen]}
		series.Rows = append(series.Rows, append([]string{p.Label}, figureCells(fig, ov.HasVisitors && f.By == "day")...))
	}
	summary := csvTable{Name: "summary", Rows: [][]string{{v.T("stats.csv.period"), v.T("stats.csv.from"), v.T("stats.csv.to")}}}
	summary.Rows[0] = append(summary.Rows[0], head...)
	summary.Rows = append(summary.Rows,
		append([]string{v.T("stats.csv.current"), ov.From, ov.To}, figureCells(ov.Cur, ov.HasVisitors)...),
		append([]string{v.T("stats.csv.previous"), ov.PrevFrom, ov.PrevTo}, figureCells(ov.Prev, ov.HasVisitors)...))
	sites := csvTable{Name: "sites", Rows: [][]string{append([]string{v.T("stats.csv.county"), v.T("stats.csv.site")}, head...)}}
	for _, r := range ov.TopSites {
		sites.Rows = append(sites.Rows, append([]string{r.County, r.Key}, figureCells(r.Figures, true)...))
	}
	signs := csvTable{Name: "signs", Rows: [][]string{append([]string{v.T("stats.csv.county"), v.T("stats.csv.site"), v.T("stats.csv.sign")}, head...)}}
	for _, r := range ov.TopSigns {
		signs.Rows = append(signs.Rows, append([]string{r.County, r.Site, r.Key}, figureCells(r.Figures, false)...))
	}
	br := csvTable{Name: "breakdowns", Rows: [][]string{{v.T("stats.csv.kind"), v.T("stats.csv.value"), v.T("stats.csv.count")}}}
	for _, kind := range []struct {
		name string
		m    map[string]int64
	}{{"language", ov.Lang}, {"device", ov.Device}, {"referrer", ov.Referrer}} {
		for _, k := range sortedStatKeys(kind.m) {
			br.Rows = append(br.Rows, []string{kind.name, k, i64(kind.m[k])})
		}
	}
	return []csvTable{series, summary, sites, signs, br}
}

func sortedStatKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
