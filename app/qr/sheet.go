package qr

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"image/color"
	"strings"

	"github.com/yimayou/yimayou/app/i18n"
)

// Paper is a sign sheet's paper size.
type Paper string

const (
	A4 Paper = "A4"
	A5 Paper = "A5"
)

// ParsePaper reads "a4"/"A5"; anything else is A4, the size every office
// printer has.
func ParsePaper(s string) Paper {
	if strings.EqualFold(s, "a5") {
		return A5
	}
	return A4
}

// SheetText is one line in one language; Lang is an HTML lang value.
type SheetText struct {
	Lang string
	Text string
}

// SheetSign is one sign on a sheet: one page each.
type SheetSign struct {
	Code  string
	URL   string // what the code holds
	Short string // the URL without its scheme, for typing by hand
	Names []SheetText
	Label string
}

// Sheet is a print-ready page set of signs. Texts come translated from
// the caller, so this package needs no catalogue.
type Sheet struct {
	Title    string
	Lang     string // the document's lang
	Paper    Paper
	Bureau   []SheetText
	Phone    string      // the bureau's phone, with its label
	Scan     []SheetText // "Scan for the guide" in each language
	TypeHint []SheetText // "or open this address" in each language
	Signs    []SheetSign
	// Screen is shown above the pages on screen and never printed: a
	// short how-to-print note and links. Plain text.
	Screen      string
	ScreenLinks []SheetLink
	// Logo, if set, is drawn in the centre of every code (see logo.go).
	Logo *Logo
}

// SheetLink is a link in the screen-only note.
type SheetLink struct {
	Href template.URL
	Text string
}

// sheetCSS is inlined, so a sheet saved from the ZIP prints the same with
// no server. Sizes are in millimetres: the page is paper, not a screen.
// The code is printed at least 60 mm wide on A5 (readable from about
// 60 cm by any phone) and 110 mm on A4.
const sheetCSS = `@page{size:A4;margin:12mm}
@page a5{size:A5;margin:8mm}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#000;background:#eee}
:lang(bo){font-family:"Noto Sans Tibetan","Noto Serif Tibetan",Kailasa,"Microsoft Himalaya",Jomolhari,sans-serif;line-height:1.8}
.screen{max-width:186mm;margin:8mm auto;padding:3mm 4mm;background:#fff8dc;border:1px solid #c9b458;font-size:11pt}
.screen a{margin-right:1em}
.sheet{width:186mm;height:273mm;margin:6mm auto;background:#fff;padding:10mm;display:flex;flex-direction:column;align-items:center;justify-content:space-between;text-align:center;break-after:page;page-break-after:always;overflow:hidden}
.sheet:last-of-type{break-after:auto;page-break-after:auto}
.a5 .sheet{width:132mm;height:194mm;padding:6mm;page:a5}
.names p{margin:0 0 2mm}
.names .zh{font-size:26pt;font-weight:700}
.names .en{font-size:16pt}
.names .bo{font-size:20pt}
.a5 .names .zh{font-size:19pt}.a5 .names .en{font-size:12pt}.a5 .names .bo{font-size:15pt}
.qr{width:120mm;height:120mm}
.a5 .qr{width:82mm;height:82mm}
.qr svg{width:100%;height:100%;display:block}
.scan{font-size:13pt;margin:0}
.scan span{display:inline-block;margin:0 2mm}
.code{font:700 28pt/1.1 ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;letter-spacing:.25em;margin:2mm 0 0}
.a5 .code{font-size:21pt}
.short{font:13pt ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;margin:1mm 0 0}
.hint{font-size:10pt;margin:0;color:#222}
.bureau{border-top:.4mm solid #000;padding-top:2mm;width:100%;font-size:11pt}
.bureau span{display:inline-block;margin:0 2mm}
.label{font-size:8pt;color:#555}
@media print{body{background:#fff}.screen{display:none}.sheet{margin:0}}`

// SheetCSPHash is the CSP source allowing the sheet's inline stylesheet,
// for servers that send a strict Content-Security-Policy with it.
func SheetCSPHash() string {
	sum := sha256.Sum256([]byte(sheetCSS))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// dir gives a text marked with lang its direction once a visitor
// language is right to left (i18n.DirAttr).
var sheetTpl = template.Must(template.New("sheet").Funcs(template.FuncMap{"dir": i18n.DirAttr}).Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
</head>
<body class="{{if eq .Paper "A5"}}a5{{else}}a4{{end}}">
{{with .Screen}}<p class="screen">{{.}}<br>{{range $.ScreenLinks}}<a href="{{.Href}}">{{.Text}}</a>{{end}}</p>{{end}}
{{range .Signs}}<section class="sheet" aria-label="{{.Code}}">
<div class="names">{{range .Names}}<p class="{{.Lang | printf "%.2s"}}" lang="{{.Lang}}"{{with dir .Lang}} dir="{{.}}"{{end}}>{{.Text}}</p>{{end}}</div>
<div class="qr">{{.SVG}}</div>
<p class="scan">{{range $.Scan}}<span lang="{{.Lang}}"{{with dir .Lang}} dir="{{.}}"{{end}}>{{.Text}}</span>{{end}}</p>
<div><p class="code">{{.Code}}</p><p class="short">{{.Short}}</p>
<p class="hint">{{range $.TypeHint}}<span lang="{{.Lang}}"{{with dir .Lang}} dir="{{.}}"{{end}}>{{.Text}}</span> {{end}}</p></div>
<div class="bureau">{{range $.Bureau}}<span lang="{{.Lang}}"{{with dir .Lang}} dir="{{.}}"{{end}}>{{.Text}}</span>{{end}}{{with $.Phone}}<span>{{.}}</span>{{end}}{{with .Label}}<div class="label">{{.}}</div>{{end}}</div>
</section>{{end}}
</body>
</html>`))

type sheetSignView struct {
	SheetSign
	SVG template.HTML
}

// SheetHTML renders a print-ready HTML document with one page per sign,
// each code drawn at level H (the most damage-tolerant: outdoor signs get
// scratched and stickered over) as inline SVG, so it prints sharp at any
// size.
func (r *Renderer) SheetHTML(sh Sheet) ([]byte, error) {
	p := DefaultParams()
	p.Level = LevelH
	p.Size = 1024
	p.FG, p.BG = color.RGBA{0, 0, 0, 0xff}, color.RGBA{0xff, 0xff, 0xff, 0xff}
	signs := make([]sheetSignView, 0, len(sh.Signs))
	for _, s := range sh.Signs {
		svg, err := r.sheetSVG(s.URL, p, sh.Logo)
		if err != nil {
			return nil, err
		}
		// The SVG is our own output (numbers and a path), never user text.
		signs = append(signs, sheetSignView{SheetSign: s, SVG: template.HTML(svg)})
	}
	var buf bytes.Buffer
	err := sheetTpl.Execute(&buf, struct {
		Sheet
		CSS   template.CSS
		Signs []sheetSignView
	}{sh, template.CSS(sheetCSS), signs})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ShortURL is a URL without its scheme, as people type it.
func ShortURL(u string) string {
	u = strings.TrimPrefix(u, "https://")
	return strings.TrimPrefix(u, "http://")
}
