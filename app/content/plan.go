package content

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// Action is what an import does to one county, site, sign or media file.
type Action string

const (
	Create Action = "create"
	Update Action = "update"
	Same   Action = "same"
)

// PlanItem is one value of a pack and what importing it would do.
type PlanItem struct {
	Kind    string // "county", "site", "sign", "media"
	Key     string // county code, site key, sign code, media file name
	County  string
	Name    string // the Chinese name of a county or site
	Action  Action
	Changed []string // for an update: the fields that change
}

// Plan is the dry run of a pack import: what would be created, changed or
// left alone, and every error with its file and line. Nothing may be
// written unless Errors is empty; ApplyPlan refuses otherwise.
type Plan struct {
	Items  []PlanItem
	Errors []*Error
	pack   Pack
	before map[string]domain.Site // existing sites by key
	signAt map[string]time.Time   // existing signs' creation times
}

// Count is how many items have action a.
func (p Plan) Count(a Action) int {
	n := 0
	for _, it := range p.Items {
		if it.Action == a {
			n++
		}
	}
	return n
}

// Err joins the plan's errors, or nil.
func (p Plan) Err() error {
	errs := make([]error, len(p.Errors))
	for i, e := range p.Errors {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// MediaChecker tells whether the importing server already has a media
// file; store.Store implements it.
type MediaChecker interface {
	HasMedia(ctx context.Context, name string) (bool, error)
}

// AllCounties lets an import touch every county (the CLI).
func AllCounties(string) bool { return true }

// PlanImport works out what importing p into the database behind cur
// would do, without writing. allow says which counties the importing user
// may change; a pack touching another county is refused, as is a sign
// code that another county's sign already uses. cur may also implement
// MediaChecker: then a src whose file is neither in the pack nor on the
// server is an error.
func PlanImport(ctx context.Context, cur Current, p Pack, allow func(county string) bool) (Plan, error) {
	p = p.Normalize()
	plan := Plan{pack: p, before: map[string]domain.Site{}, signAt: map[string]time.Time{}}
	addErr := func(file string, line int, err error) {
		plan.Errors = append(plan.Errors, &Error{File: file, Line: line, Err: err})
	}
	if err := p.Validate(); err != nil {
		plan.Errors = append(plan.Errors, packErrors(err)...)
	}
	if r := p.Region; r != nil {
		if !allow(r.Code) {
			addErr(regionFile, 0, fmt.Errorf("region %s: only an admin of the whole region may change region.yaml", r.Code))
		} else {
			it, err := planRegion(ctx, cur, p)
			if err != nil {
				return plan, err
			}
			if it.Kind == "" {
				addErr(regionFile, 0, errRegionMismatch(r, it.County))
			} else {
				plan.Items = append(plan.Items, it)
			}
		}
	}
	for _, c := range p.Counties {
		if !allow(c.Code) {
			addErr(countiesFile, 0, fmt.Errorf("county %s: you may not change this county", c.Code))
			continue
		}
		have, found, err := lookup(ctx, cur, func(cur Current) (domain.County, error) { return cur.County(ctx, c.Code) })
		if err != nil {
			return plan, fmt.Errorf("content: plan county %s: %w", c.Code, err)
		}
		it := PlanItem{Kind: "county", Key: c.Code, County: c.Code, Name: c.Name[domain.Zh], Action: Create}
		if found {
			it.Action = Update
			if reflect.DeepEqual(normalizeCounty(have), c) {
				it.Action = Same
			}
		}
		plan.Items = append(plan.Items, it)
	}
	for _, s := range p.Sites {
		if !allow(s.County) {
			addErr(siteYAML(s.Key), 0, fmt.Errorf("county %s: you may not change this county's sites", s.County))
			continue
		}
		have, found, err := lookup(ctx, cur, func(cur Current) (domain.Site, error) { return cur.Site(ctx, s.Key) })
		if err != nil {
			return plan, fmt.Errorf("content: plan site %s: %w", s.Key, err)
		}
		it := PlanItem{Kind: "site", Key: s.Key, County: s.County, Name: s.Name[domain.Zh], Action: Create}
		if found {
			if have.County != s.County && !allow(have.County) {
				addErr(siteYAML(s.Key), 0, fmt.Errorf("site %s belongs to county %s, which you may not change", s.Key, have.County))
				continue
			}
			plan.before[s.Key] = have
			it.Action = Same
			for _, ch := range SiteChanges(normalizeSite(have), s) {
				it.Action = Update
				field, _, _ := strings.Cut(ch.Field, ".")
				if !slices.Contains(it.Changed, field) {
					it.Changed = append(it.Changed, field)
				}
			}
		}
		plan.Items = append(plan.Items, it)
	}
	for _, g := range p.Signs {
		have, found, err := lookup(ctx, cur, func(cur Current) (domain.Sign, error) { return cur.Sign(ctx, g.Code) })
		if err != nil {
			return plan, fmt.Errorf("content: plan sign %s: %w", g.Code, err)
		}
		it := PlanItem{Kind: "sign", Key: g.Code, County: g.County, Action: Create}
		if found {
			if have.County != g.County && !allow(have.County) {
				addErr(siteYAML(g.Site), 0, fmt.Errorf("sign %s is already used by county %s", g.Code, have.County))
				continue
			}
			plan.signAt[g.Code] = have.CreatedAt
			it.Action = Update
			if reflect.DeepEqual(normalizeSign(have), g) {
				it.Action = Same
			}
		}
		plan.Items = append(plan.Items, it)
	}
	mc, _ := cur.(MediaChecker)
	users := mediaUsers(p)
	for _, n := range p.MediaNames() {
		var has bool
		if mc != nil {
			ok, err := mc.HasMedia(ctx, n)
			if err != nil {
				return plan, fmt.Errorf("content: plan media %s: %w", n, err)
			}
			has = ok
		}
		_, inPack := p.Media[n]
		switch {
		case has:
			plan.Items = append(plan.Items, PlanItem{Kind: "media", Key: n, Action: Same})
		case inPack:
			plan.Items = append(plan.Items, PlanItem{Kind: "media", Key: n, Action: Create})
		case mc != nil:
			addErr(users[n], 0, fmt.Errorf("%s%s: the file is neither in the pack's %s/ folder nor on this server", MediaURLPrefix, n, mediaDir))
		}
	}
	return plan, nil
}

// mediaUsers maps each media file name to the file that refers to it.
func mediaUsers(p Pack) map[string]string {
	out := map[string]string{}
	for _, s := range p.Sites {
		for _, ph := range s.Photos {
			for _, src := range append([]string{ph.Src}, sizeSrcs(ph)...) {
				if n, ok := mediaName(src); ok {
					out[n] = siteYAML(s.Key)
				}
			}
		}
		for l, a := range s.Audio {
			if n, ok := mediaName(a.Src); ok {
				out[n] = langFile(s.Key, l)
			}
		}
	}
	return out
}

func sizeSrcs(ph domain.Photo) []string {
	out := make([]string, len(ph.Sizes))
	for i, z := range ph.Sizes {
		out[i] = z.Src
	}
	return out
}

// packErrors flattens a joined error into *Error values.
func packErrors(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var pe *Error
		if errors.As(err, &pe) {
			out = append(out, pe)
			return
		}
		out = append(out, &Error{File: "", Err: err})
	}
	walk(err)
	return out
}

// Messages renders every error of err (a Load, Validate or plan error) as
// "file:line: message", translating validation keys with t, so the CLI
// and the console say the same thing about the same mistake.
func Messages(err error, t func(key string, args ...any) string) []string {
	var out []string
	for _, e := range packErrors(err) {
		msg := e.Err.Error()
		var ve *domain.ValidationError
		if errors.As(e.Err, &ve) && t != nil {
			msg = t(ve.Key, ve.Args...)
			if ve.Field != "" {
				msg = ve.Field + ": " + msg
			}
		}
		where := e.File
		if e.Line > 0 {
			where += ":" + strconv.Itoa(e.Line)
		}
		if where != "" {
			msg = where + ": " + msg
		}
		out = append(out, msg)
	}
	return out
}
