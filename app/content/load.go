package content

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/yimayou/yimayou/app/domain"
)

// MaxFileSize bounds every file Load reads. A pack is text; a bigger file is
// a mistake (a photo dropped in the wrong folder) or an attempt to exhaust
// the importer's memory.
const MaxFileSize = 1 << 20

// Load reads the pack in fsys (an os.DirFS, an embed.FS…) and returns it
// normalized (see Pack.Normalize) and valid (see Pack.Validate). Errors are
// *Error values joined with errors.Join, each naming a file and, where the
// YAML parser knows it, a line. Syntax and schema errors come first, then
// the checks across files on every part that parsed: all problems at once.
func Load(fsys fs.FS) (Pack, error) {
	l := &loader{fsys: fsys}
	l.loadRegion()
	l.loadCounties()
	l.origin.countiesBroken = len(l.errs) > 0
	l.loadSites()
	l.loadMedia()
	// The checks across files run on whatever did load, so an editor sees
	// every problem of the pack at once, not the syntax errors first.
	p := l.pack.normalizeValues()
	if err := p.validate(&l.origin); err != nil {
		l.errs = append(l.errs, err)
	}
	if len(l.errs) > 0 {
		return Pack{}, errors.Join(l.errs...)
	}
	p.sort()
	return p, nil
}

type loader struct {
	fsys   fs.FS
	pack   Pack
	origin origin
	errs   []error
}

func (l *loader) fail(file string, line int, err error) {
	l.errs = append(l.errs, &Error{File: file, Line: line, Err: err})
}

func (l *loader) loadCounties() {
	text, err := readText(l.fsys, countiesFile)
	if err != nil {
		l.fail(countiesFile, 0, err)
		return
	}
	var doc []countyYAML
	root, errs := decodeYAML(countiesFile, "", text, &doc)
	if len(errs) > 0 {
		l.errs = append(l.errs, errs...)
		return
	}
	lines := itemLines(topNode(root))
	for i, c := range doc {
		l.pack.Counties = append(l.pack.Counties, domain.County{
			Code: c.Code, Pinyin: c.Pinyin, Name: c.Name.text(), Phone: c.Phone,
		})
		l.origin.countyLines = append(l.origin.countyLines, lineAt(lines, i))
	}
}

func (l *loader) loadSites() {
	entries, err := fs.ReadDir(l.fsys, sitesDir)
	if errors.Is(err, fs.ErrNotExist) {
		return // a pack of counties only
	}
	if err != nil {
		l.fail(sitesDir, 0, err)
		return
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."):
		case !e.IsDir():
			l.fail(path.Join(sitesDir, name), 0, errors.New("not a folder: each site is a folder sites/<site-key>/"))
		case !domain.ValidSiteKey(name):
			l.fail(siteDir(name), 0, fmt.Errorf("invalid site key %q: use lowercase letters, digits and single dashes, at most 64 bytes", name))
		default:
			l.loadSite(name)
		}
	}
}

func (l *loader) loadSite(key string) {
	entries, err := fs.ReadDir(l.fsys, siteDir(key))
	if err != nil {
		l.fail(siteDir(key), 0, err)
		return
	}
	var langs []domain.Lang
	hasSiteYAML, hasTickets, ok := false, false, true
	for _, e := range entries {
		name := e.Name()
		file := path.Join(siteDir(key), name)
		lang, isMD := strings.CutSuffix(name, ".md")
		switch {
		case strings.HasPrefix(name, "."):
		case e.IsDir():
			l.fail(file, 0, errors.New("unexpected folder in a site folder"))
			ok = false
		case name == siteFile:
			hasSiteYAML = true
		case name == ticketsFile:
			hasTickets = true
		case isMD && domain.Lang(lang).Valid():
			langs = append(langs, domain.Lang(lang))
		case isMD:
			l.fail(file, 0, fmt.Errorf("unknown language %q in the file name (want one of %s)", lang, mdNames()))
			ok = false
		default:
			l.fail(file, 0, fmt.Errorf("unexpected file: a site folder holds %s, %s and %s", siteFile, mdNames(), ticketsFile))
			ok = false
		}
	}
	if !hasSiteYAML {
		l.fail(siteYAML(key), 0, errors.New("missing: every site folder needs a site.yaml"))
		ok = false
	}
	if !slices.Contains(langs, domain.Zh) {
		l.fail(langFile(key, domain.Zh), 0, errors.New("missing: every site needs zh.md with at least its Chinese name"))
		ok = false
	}
	var site domain.Site
	var signs []domain.Sign
	var keyLines map[string]int
	var signLines []int
	if hasSiteYAML {
		text, err := readText(l.fsys, siteYAML(key))
		if err != nil {
			l.fail(siteYAML(key), 0, err)
			return
		}
		var doc siteYAMLDoc
		root, errs := decodeYAML(siteYAML(key), "", text, &doc)
		if len(errs) > 0 {
			l.errs = append(l.errs, errs...)
			ok = false
		}
		site, signs = doc.site(key), doc.signs(key)
		keyLines = mappingKeyLines(topNode(root))
		signLines = itemLines(mappingValue(topNode(root), "signs"))
	}
	for _, lang := range langs {
		if !l.loadLang(key, lang, &site) {
			ok = false
		}
	}
	if !ok {
		// Still report what is wrong in site.yaml itself, so one broken
		// language file does not hide the rest of the site's problems.
		if hasSiteYAML && keyLines != nil {
			for _, pr := range site.Problems() {
				file, line := siteErrorPlace(key, pr, func(k string) int { return keyLines[k] })
				if file == siteYAML(key) && pr.Field != "name.zh" {
					l.fail(file, line, pr)
				}
			}
		}
		return
	}
	if hasTickets {
		l.loadTickets(key, site.County)
	}
	l.pack.Sites = append(l.pack.Sites, site)
	l.origin.siteLines = append(l.origin.siteLines, keyLines)
	for i, g := range signs {
		l.pack.Signs = append(l.pack.Signs, g)
		l.origin.signLines = append(l.origin.signLines, lineAt(signLines, i))
	}
}

// loadLang reads sites/<key>/<lang>.md into the lang entries of site.
func (l *loader) loadLang(key string, lang domain.Lang, site *domain.Site) bool {
	file := langFile(key, lang)
	text, err := readText(l.fsys, file)
	if err != nil {
		l.fail(file, 0, err)
		return false
	}
	front, body, err := splitFrontMatter(text)
	if err != nil {
		l.fail(file, 1, err)
		return false
	}
	var doc langYAML
	if _, errs := decodeYAML(file, "front matter: ", front, &doc); len(errs) > 0 {
		l.errs = append(l.errs, errs...)
		return false
	}
	for _, f := range langFields(&doc, site) {
		setText(f.text, lang, *f.field)
	}
	setText(&site.Body, lang, body)
	if a := doc.Audio; a != nil {
		if site.Audio == nil {
			site.Audio = map[domain.Lang]domain.AudioGuide{}
		}
		site.Audio[lang] = domain.AudioGuide{Src: a.Src, Type: a.Type, Seconds: a.Seconds, Transcript: a.Transcript}
	}
	return true
}

func setText(t *domain.Text, lang domain.Lang, s string) {
	if s == "" {
		return
	}
	if *t == nil {
		*t = domain.Text{}
	}
	(*t)[lang] = s
}

// splitFrontMatter cuts a Markdown file into its front matter and body.
// The front matter keeps its opening "---" line, which YAML reads as a
// document start, so the parser's line numbers are the file's.
func splitFrontMatter(text string) (front, body string, err error) {
	first, rest, _ := strings.Cut(text, "\n")
	if strings.TrimRight(first, " \t") != "---" {
		return "", "", errors.New(`must start with a "---" line, then the YAML front matter, then "---" and the Markdown body`)
	}
	offset := len(first) + 1
	for rest != "" {
		line, next, _ := strings.Cut(rest, "\n")
		if strings.TrimRight(line, " \t") == "---" {
			return text[:offset], next, nil
		}
		offset += len(line) + 1
		rest = next
	}
	return "", "", errors.New(`front matter: no closing "---" line`)
}

// readText reads a pack file as UTF-8 text with LF line ends.
func readText(fsys fs.FS, name string) (string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", errors.New("missing")
		}
		return "", err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxFileSize {
		return "", fmt.Errorf("file is %d bytes; the limit is %d", st.Size(), MaxFileSize)
	}
	// Stat may lie (or not know) for some file systems: read one byte more
	// than allowed to find out.
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return "", err
	}
	if len(b) > MaxFileSize {
		return "", fmt.Errorf("file is larger than the limit of %d bytes", MaxFileSize)
	}
	if !utf8.Valid(b) {
		return "", errors.New("not UTF-8 text (save the file as UTF-8)")
	}
	s := strings.TrimPrefix(string(b), "\uFEFF")
	return strings.ReplaceAll(s, "\r\n", "\n"), nil
}

// decodeYAML decodes text into v, rejecting unknown fields and extra
// documents, and returns the node tree so callers can find lines.
func decodeYAML(file, prefix, text string, v any) (*yaml.Node, []error) {
	var root yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&root); err != nil && err != io.EOF {
		return nil, yamlErrors(file, prefix, err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == io.EOF:
	case err != nil:
		return nil, yamlErrors(file, prefix, err)
	default:
		return nil, []error{&Error{File: file, Line: extra.Line, Err: errors.New(prefix + "more than one YAML document")}}
	}
	// yaml.Node.Decode cannot reject unknown fields; a strict decoder can.
	strict := yaml.NewDecoder(strings.NewReader(text))
	strict.KnownFields(true)
	if err := strict.Decode(v); err != nil && err != io.EOF {
		return nil, yamlErrors(file, prefix, err)
	}
	return &root, nil
}

var (
	yamlLineRe   = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownKeyRe = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
	goListRe     = regexp.MustCompile(`into \[\]content\.\w+`)
	goStructRe   = regexp.MustCompile(`into \*?content\.\w+`)
)

// yamlErrors turns yaml.v3's messages into one *Error per problem, with
// the line moved into the Error and Go type names replaced by words.
func yamlErrors(file, prefix string, err error) []error {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	out := make([]error, 0, len(msgs))
	for _, msg := range msgs {
		line := 0
		if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		if m := unknownKeyRe.FindStringSubmatch(msg); m != nil {
			msg = "unknown field " + strconv.Quote(m[1])
		}
		msg = goListRe.ReplaceAllString(msg, "into a list")
		msg = goStructRe.ReplaceAllString(msg, "into a mapping")
		out = append(out, &Error{File: file, Line: line, Err: errors.New(prefix + msg)})
	}
	return out
}

// topNode returns the content of a document node, or nil.
func topNode(root *yaml.Node) *yaml.Node {
	if root == nil || root.Kind != yaml.DocumentNode || len(root.Content) == 0 {
		return nil
	}
	return root.Content[0]
}

func mappingKeyLines(n *yaml.Node) map[string]int {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	out := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i].Line
	}
	return out
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func itemLines(n *yaml.Node) []int {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]int, len(n.Content))
	for i, item := range n.Content {
		out[i] = item.Line
	}
	return out
}

func lineAt(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}

// mdNames lists the Markdown file names of the visitor languages: "zh.md,
// en.md, bo.md".
func mdNames() string {
	var names []string
	for _, l := range domain.Languages() {
		names = append(names, string(l)+".md")
	}
	return strings.Join(names, ", ")
}
