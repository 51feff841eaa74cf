package content

import (
	"bytes"
	"errors"
	"io/fs"
	"maps"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yimayou/yimayou/app/domain"
)

func basePack() fstest.MapFS {
	return fstest.MapFS{
		"counties.yaml": {Data: []byte(`- code: "513301"
  name:
    zh: 康定市
- code: "513337"
  name:
    zh: 稻城县
`)},
		"sites/yading/site.yaml": {Data: []byte(`county: "513337"
altitude_min: 2900
altitude_max: 6032
published: true
signs:
  - code: D96KDR
    enabled: true
  - code: DGNGVR
    enabled: true
`)},
		"sites/yading/zh.md": {Data: []byte("---\nname: 稻城亚丁\n---\n\n正文。\n")},
		"sites/yading/en.md": {Data: []byte("---\nname: Yading\nsummary: Peaks.\n---\n\nBody.\n")},
		"sites/mugecuo/site.yaml": {Data: []byte(`county: "513301"
published: true
signs:
  - code: 9575EY
    enabled: true
`)},
		"sites/mugecuo/zh.md": {Data: []byte("---\nname: 木格措\n---\n")},
	}
}

func TestLoadBase(t *testing.T) {
	p, err := Load(basePack())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Counties) != 2 || len(p.Sites) != 2 || len(p.Signs) != 3 {
		t.Fatalf("got %d counties, %d sites, %d signs", len(p.Counties), len(p.Sites), len(p.Signs))
	}
	if p.Sites[0].Key != "mugecuo" || p.Signs[0].Site != "mugecuo" || p.Signs[1].Code != "D96KDR" {
		t.Errorf("not sorted: %v / %v", p.Sites, p.Signs)
	}
	y := p.Sites[1]
	if y.Name[domain.En] != "Yading" || y.Body[domain.Zh] != "正文。" || y.Body[domain.Bo] != "" {
		t.Errorf("yading: %#v", y)
	}
	if p.Signs[1].County != "513337" {
		t.Errorf("sign county %q, want the site's", p.Signs[1].County)
	}
}

func TestLoadTolerates(t *testing.T) {
	for name, files := range map[string]fstest.MapFS{
		"CRLF and BOM": {
			"sites/yading/en.md": {Data: []byte("\uFEFF---\r\nname: Yading\r\n---\r\n\r\nBody.  \r\n")},
		},
		"dot-files": {
			"sites/.DS_Store":        {Data: []byte{0xff}},
			"sites/yading/.en.md.sw": {Data: []byte{0xff}},
		},
		"unquoted county code": {
			"counties.yaml": {Data: []byte("- {code: 513301, name: {zh: 康定市}}\n- {code: 513337, name: {zh: 稻城县}}\n")},
		},
		"empty language file": {
			"sites/yading/bo.md": {Data: []byte("---\n---\n")},
		},
	} {
		t.Run(name, func(t *testing.T) {
			fsys := basePack()
			maps.Copy(fsys, files)
			p, err := Load(fsys)
			if err != nil {
				t.Fatal(err)
			}
			if p.Counties[0].Code != "513301" || p.Sites[1].Body[domain.En] != "Body." && name == "CRLF and BOM" {
				t.Errorf("got %#v", p)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	big := "---\nname: 大\n---\n\n" + strings.Repeat("字", MaxFileSize/3+1)
	tests := []struct {
		name   string
		files  fstest.MapFS // added to or replacing the base pack
		remove []string
		want   []string // substrings of the error
		not    string   // a substring the error must not have
	}{
		{
			name:  "bad YAML",
			files: fstest.MapFS{"sites/yading/site.yaml": {Data: []byte("county: \"513337\"\nprices: [\n")}},
			want:  []string{"sites/yading/site.yaml:"},
		},
		{
			name:  "wrong type",
			files: fstest.MapFS{"sites/yading/site.yaml": {Data: []byte("county: \"513337\"\naltitude_min: high\n")}},
			want:  []string{"sites/yading/site.yaml:2: cannot unmarshal !!str `high` into int"},
		},
		{
			name:  "unknown field",
			files: fstest.MapFS{"sites/yading/site.yaml": {Data: []byte("county: \"513337\"\naltitude: 3000\n")}},
			want:  []string{`sites/yading/site.yaml:2: unknown field "altitude"`},
		},
		{
			name:  "unknown language in a text",
			files: fstest.MapFS{"counties.yaml": {Data: []byte("- code: \"513301\"\n  name:\n    zh: 康定市\n    fr: Kangding\n")}},
			want:  []string{`counties.yaml:4: unknown language "fr" (the visitor languages are zh, en, bo)`},
		},
		{
			name:  "duplicate key",
			files: fstest.MapFS{"sites/yading/site.yaml": {Data: []byte("county: \"513337\"\ncounty: \"513301\"\n")}},
			want:  []string{`sites/yading/site.yaml:2: mapping key "county" already defined at line 1`},
		},
		{
			name:  "two documents",
			files: fstest.MapFS{"counties.yaml": {Data: []byte("- code: \"513301\"\n  name: {zh: 康定市}\n---\n- code: \"513337\"\n")}},
			want:  []string{"counties.yaml:3: more than one YAML document"},
		},
		{
			name: "unknown county",
			files: fstest.MapFS{"sites/yading/site.yaml": {Data: []byte(`published: true
county: "513399"
`)}},
			want: []string{"sites/yading/site.yaml:2: county 513399 is not in counties.yaml"},
		},
		{
			name:  "invalid county code",
			files: fstest.MapFS{"counties.yaml": {Data: []byte("- code: \"513301\"\n  name: {zh: 康定市}\n- code: \"5133\"\n  name: {zh: 稻城县}\n")}},
			want:  []string{`counties.yaml:3: county "5133": invalid code`},
		},
		{
			name:  "county without a Chinese name",
			files: fstest.MapFS{"counties.yaml": {Data: []byte("- code: \"513301\"\n  name: {zh: 康定市}\n- code: \"513337\"\n  name: {en: Daocheng}\n")}},
			want:  []string{`counties.yaml:3: county "513337": invalid name.zh`},
			not:   "is not in counties.yaml",
		},
		{
			name:  "duplicate county",
			files: fstest.MapFS{"counties.yaml": {Data: []byte("- {code: \"513301\", name: {zh: 康定市}}\n- {code: \"513337\", name: {zh: 稻城县}}\n- {code: \"513301\", name: {zh: 康定}}\n")}},
			want:  []string{"counties.yaml:3: county 513301 is listed twice at line 1"},
		},
		{
			name:  "bad site key",
			files: fstest.MapFS{"sites/Ya_Ding/site.yaml": {Data: []byte("county: \"513337\"\n")}},
			want:  []string{`sites/Ya_Ding: invalid site key "Ya_Ding"`},
		},
		{
			name:  "file where a site folder belongs",
			files: fstest.MapFS{"sites/readme.txt": {Data: []byte("hello")}},
			want:  []string{"sites/readme.txt: not a folder"},
		},
		{
			name: "duplicate sign code",
			files: fstest.MapFS{"sites/mugecuo/site.yaml": {Data: []byte(`county: "513301"
published: true
signs:
  - code: 9575EY
    enabled: true
  - code: D96KDR
    enabled: true
`)}},
			want: []string{"sites/yading/site.yaml:6: sign code D96KDR is also used in sites/mugecuo/site.yaml at line 6"},
		},
		{
			name:  "bad sign code",
			files: fstest.MapFS{"sites/mugecuo/site.yaml": {Data: []byte("county: \"513301\"\nsigns:\n  - code: abc0OI\n")}},
			want:  []string{`sites/mugecuo/site.yaml:3: sign "abc0OI": invalid code`},
		},
		{
			name:  "bad install date",
			files: fstest.MapFS{"sites/mugecuo/site.yaml": {Data: []byte("county: \"513301\"\nsigns:\n  - code: 9575EY\n    installed: May 2026\n")}},
			want:  []string{`sites/mugecuo/site.yaml:3: sign "9575EY": invalid installed`},
		},
		{
			name:  "altitudes upside down",
			files: fstest.MapFS{"sites/yading/site.yaml": {Data: []byte("county: \"513337\"\naltitude_min: 6032\naltitude_max: 2900\n")}},
			want:  []string{"sites/yading/site.yaml:2: invalid altitude"},
		},
		{
			name:  "bad language file",
			files: fstest.MapFS{"sites/yading/fr.md": {Data: []byte("---\nname: Yading\n---\n")}},
			want:  []string{`sites/yading/fr.md: unknown language "fr"`},
		},
		{
			name:  "unexpected file in a site folder",
			files: fstest.MapFS{"sites/yading/photo.jpg": {Data: []byte{0xff, 0xd8}}},
			want:  []string{"sites/yading/photo.jpg: unexpected file"},
		},
		{
			name:  "folder in a site folder",
			files: fstest.MapFS{"sites/yading/img/a.jpg": {Data: []byte{0xff, 0xd8}}},
			want:  []string{"sites/yading/img: unexpected folder"},
		},
		{
			name:   "no Chinese file",
			remove: []string{"sites/mugecuo/zh.md"},
			want:   []string{"sites/mugecuo/zh.md: missing: every site needs zh.md"},
		},
		{
			name:  "empty Chinese name",
			files: fstest.MapFS{"sites/mugecuo/zh.md": {Data: []byte("---\nsummary: 湖。\n---\n")}},
			want:  []string{"sites/mugecuo/zh.md: invalid name.zh"},
		},
		{
			name:   "no site.yaml",
			remove: []string{"sites/mugecuo/site.yaml"},
			want:   []string{"sites/mugecuo/site.yaml: missing"},
		},
		{
			name:   "no counties.yaml",
			remove: []string{"counties.yaml"},
			want:   []string{"counties.yaml: missing"},
		},
		{
			name:  "front matter bad YAML",
			files: fstest.MapFS{"sites/yading/en.md": {Data: []byte("---\nname: Yading\nsummary: [unclosed\n---\n\nBody.\n")}},
			want:  []string{"sites/yading/en.md:", "front matter: "},
		},
		{
			name:  "front matter unknown field",
			files: fstest.MapFS{"sites/yading/en.md": {Data: []byte("---\nname: Yading\nopening_hours: 8-5\n---\n")}},
			want:  []string{`sites/yading/en.md:3: front matter: unknown field "opening_hours"`},
		},
		{
			name:  "front matter not closed",
			files: fstest.MapFS{"sites/yading/en.md": {Data: []byte("---\nname: Yading\n\nBody.\n")}},
			want:  []string{`sites/yading/en.md:1: front matter: no closing "---" line`},
		},
		{
			name:  "no front matter",
			files: fstest.MapFS{"sites/yading/en.md": {Data: []byte("# Yading\n\nBody.\n")}},
			want:  []string{`sites/yading/en.md:1: must start with a "---" line`},
		},
		{
			name:  "not UTF-8",
			files: fstest.MapFS{"sites/yading/zh.md": {Data: []byte("---\nname: \xb5\xbe\xb3\xc7\n---\n")}},
			want:  []string{"sites/yading/zh.md: not UTF-8"},
		},
		{
			name:  "oversized file",
			files: fstest.MapFS{"sites/yading/zh.md": {Data: []byte(big)}},
			want:  []string{"sites/yading/zh.md: file is", "the limit is 1048576"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := basePack()
			maps.Copy(fsys, tc.files)
			for _, name := range tc.remove {
				delete(fsys, name)
			}
			_, err := Load(fsys)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q\ndoes not contain %q", err, want)
				}
			}
			if tc.not != "" && strings.Contains(err.Error(), tc.not) {
				t.Errorf("error %q\ncontains %q", err, tc.not)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Errorf("error %v is not a *content.Error", err)
			}
		})
	}
}

// A file system whose Stat does not tell the size must still be bounded.
func TestLoadOversizedWithoutStat(t *testing.T) {
	fsys := basePack()
	big := []byte("---\nname: 大\n---\n\n" + strings.Repeat("a", MaxFileSize))
	_, err := readText(noSizeFS{fsys, "sites/yading/zh.md", big}, "sites/yading/zh.md")
	if err == nil || !strings.Contains(err.Error(), "larger than the limit") {
		t.Errorf("got %v", err)
	}
}

type noSizeFS struct {
	fstest.MapFS
	name string
	data []byte
}

func (f noSizeFS) Open(name string) (fs.File, error) {
	if name != f.name {
		return f.MapFS.Open(name)
	}
	return &noSizeFile{Reader: bytes.NewReader(f.data)}, nil
}

type noSizeFile struct{ *bytes.Reader }

func (*noSizeFile) Stat() (fs.FileInfo, error) { return nil, errors.New("no stat") }
func (*noSizeFile) Close() error               { return nil }
