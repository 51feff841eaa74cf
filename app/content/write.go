package content

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/yimayou/yimayou/app/domain"
)

// Write writes p into dir in canonical form, creating dir if needed. It
// refuses a pack that Validate rejects.
//
// Write owns counties.yaml and sites/ in dir and replaces them whole, so a
// site or a language that p no longer has disappears from dir; every other
// file in dir is left alone. It refuses to replace a sites/ folder that
// holds anything a pack does not (dot-files aside), rather than delete
// someone's work. The new files are made in a temporary folder inside dir
// and renamed into place, so a failed write leaves the old pack whole.
func Write(dir string, p Pack) error {
	p = p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	files, err := encode(p)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("content: write: %w", err)
	}
	oldSites := filepath.Join(dir, sitesDir)
	if err := checkOnlyPackFiles(oldSites); err != nil {
		return err
	}
	if err := checkOnlyMediaFiles(filepath.Join(dir, mediaDir)); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(dir, ".yimayou-pack-")
	if err != nil {
		return fmt.Errorf("content: write: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Mkdir(filepath.Join(tmp, sitesDir), 0o755); err != nil {
		return fmt.Errorf("content: write: %w", err)
	}
	for _, f := range files {
		name := filepath.Join(tmp, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return fmt.Errorf("content: write: %w", err)
		}
		if err := os.WriteFile(name, f.data, 0o644); err != nil {
			return fmt.Errorf("content: write: %w", err)
		}
	}
	return swapIn(dir, tmp)
}

// swapIn moves tmp/sites and tmp/counties.yaml over the ones in dir. The
// old sites/ goes into tmp, which the caller removes.
func swapIn(dir, tmp string) error {
	oldSites, newSites := filepath.Join(dir, sitesDir), filepath.Join(tmp, sitesDir)
	parked := filepath.Join(tmp, "old-"+sitesDir)
	hadSites := true
	if err := os.Rename(oldSites, parked); errors.Is(err, fs.ErrNotExist) {
		hadSites = false
	} else if err != nil {
		return fmt.Errorf("content: write: %w", err)
	}
	if err := os.Rename(newSites, oldSites); err != nil {
		if hadSites {
			_ = os.Rename(parked, oldSites)
		}
		return fmt.Errorf("content: write: %w", err)
	}
	if err := os.Rename(filepath.Join(tmp, countiesFile), filepath.Join(dir, countiesFile)); err != nil {
		return fmt.Errorf("content: write: %w (sites/ is already the new one)", err)
	}
	// A pack without a region leaves the folder's region.yaml alone.
	if err := os.Rename(filepath.Join(tmp, regionFile), filepath.Join(dir, regionFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("content: write: %w (sites/ is already the new one)", err)
	}
	// media/ is replaced whole too: a pack without media leaves none.
	if err := os.Rename(filepath.Join(dir, mediaDir), filepath.Join(tmp, "old-"+mediaDir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("content: write: %w", err)
	}
	if err := os.Rename(filepath.Join(tmp, mediaDir), filepath.Join(dir, mediaDir)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("content: write: %w", err)
	}
	return nil
}

// checkOnlyMediaFiles makes sure replacing media/ loses nothing but the
// files of a previous pack.
func checkOnlyMediaFiles(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("content: write: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if e.IsDir() || !mediaNameRe.MatchString(e.Name()) {
			return fmt.Errorf("content: write: %s is not part of a content pack; move it away or write to another folder",
				path.Join(mediaDir, e.Name()))
		}
	}
	return nil
}

// checkOnlyPackFiles makes sure replacing the sites folder loses nothing
// but a previous pack.
func checkOnlyPackFiles(sites string) error {
	err := filepath.WalkDir(sites, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(sites, name)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		switch {
		case rel == ".":
			return nil
		case strings.HasPrefix(d.Name(), "."):
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		case len(parts) == 1 && d.IsDir() && domain.ValidSiteKey(parts[0]):
			return nil
		case len(parts) == 2 && !d.IsDir() && isPackFileName(parts[1]):
			return nil
		}
		return fmt.Errorf("content: write: %s is not part of a content pack; move it away or write to another folder",
			path.Join(sitesDir, filepath.ToSlash(rel)))
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func isPackFileName(name string) bool {
	lang, isMD := strings.CutSuffix(name, ".md")
	return name == siteFile || name == ticketsFile || isMD && domain.Lang(lang).Valid()
}

type packFile struct {
	name string // slash-separated, relative to the pack
	data []byte
}

// encode renders a normalized, valid pack as files in canonical form.
func encode(p Pack) ([]packFile, error) {
	var counties []countyYAML
	for _, c := range p.Counties {
		counties = append(counties, countyYAML{Code: c.Code, Pinyin: c.Pinyin, Name: textToYAML(c.Name), Phone: c.Phone})
	}
	if counties == nil {
		counties = []countyYAML{}
	}
	data, err := encodeYAML(counties)
	if err != nil {
		return nil, err
	}
	files := []packFile{{countiesFile, data}}

	signs := make(map[string][]domain.Sign)
	for _, g := range p.Signs {
		signs[g.Site] = append(signs[g.Site], g)
	}
	for _, s := range p.Sites {
		data, err := encodeYAML(siteToYAML(s, signs[s.Key]))
		if err != nil {
			return nil, err
		}
		files = append(files, packFile{siteYAML(s.Key), data})
		for _, lang := range domain.Languages() {
			data, err := encodeLang(s, lang)
			if err != nil {
				return nil, err
			}
			if data != nil {
				files = append(files, packFile{langFile(s.Key, lang), data})
			}
		}
	}
	names := make([]string, 0, len(p.Media))
	for n := range p.Media {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		files = append(files, packFile{path.Join(mediaDir, n), p.Media[n].Data})
	}
	ticketFiles, err := encodeTickets(p)
	if err != nil {
		return nil, err
	}
	regionFiles, err := encodeRegion(p)
	if err != nil {
		return nil, err
	}
	return append(append(files, ticketFiles...), regionFiles...), nil
}

// encodeLang renders sites/<key>/<lang>.md, or nil when the site has
// nothing in lang.
func encodeLang(s domain.Site, lang domain.Lang) ([]byte, error) {
	var doc langYAML
	for _, f := range langFields(&doc, &s) {
		*f.field = (*f.text)[lang]
	}
	if a, ok := s.Audio[lang]; ok {
		doc.Audio = &audioYAML{Src: a.Src, Type: a.Type, Seconds: a.Seconds, Transcript: a.Transcript}
	}
	body := s.Body[lang]
	if doc == (langYAML{}) && body == "" {
		return nil, nil
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	if doc != (langYAML{}) {
		front, err := encodeYAML(doc)
		if err != nil {
			return nil, err
		}
		b.Write(front)
	}
	b.WriteString("---\n")
	if body != "" {
		b.WriteString("\n")
		b.WriteString(body)
		b.WriteString("\n")
	}
	return b.Bytes(), nil
}

func encodeYAML(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("content: encode: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("content: encode: %w", err)
	}
	return b.Bytes(), nil
}
