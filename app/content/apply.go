package content

import (
	"context"
	"fmt"
	"time"

	"github.com/yimayou/yimayou/app/domain"
)

// MediaSink stores media files; store.Store implements it.
type MediaSink interface {
	SaveMedia(ctx context.Context, name, contentType string, data []byte) error
}

// Recorder keeps the history of an import as the console keeps an
// editor's: a revision of every site written and an audit entry for every
// change. store.Store implements it.
type Recorder interface {
	AddRevision(ctx context.Context, site domain.Site, user string, at time.Time) (string, error)
	AddAudit(ctx context.Context, e domain.AuditEntry) error
}

// CLIActor is the name the CLI's imports are recorded under.
const CLIActor = "import (CLI)"

// WithActor makes Import (and ApplyPlan) record revisions and audit
// entries as user, at now, when the destination is also a Recorder.
func WithActor(user string, now func() time.Time) ImportOption {
	return func(c *importConfig) { c.actor, c.now = user, now }
}

// ApplyPlan writes a plan that has no errors: media first (so no page
// ever points at a missing file), then counties, sites and signs, as the
// store checks each against the one before. Values the plan found
// unchanged are not written. With WithActor, each written site gets a
// revision and every write an audit entry.
func ApplyPlan(ctx context.Context, dst Importer, plan Plan, opts ...ImportOption) (ImportStats, error) {
	var cfg importConfig
	for _, o := range opts {
		o(&cfg)
	}
	if len(plan.Errors) > 0 {
		return ImportStats{}, plan.Err()
	}
	p := plan.pack
	action := map[string]Action{}
	for _, it := range plan.Items {
		action[it.Kind+"/"+it.Key] = it.Action
	}
	rec, _ := dst.(Recorder)
	if cfg.actor == "" {
		rec = nil
	}
	now := time.Now
	if cfg.now != nil {
		now = cfg.now
	}
	audit := func(act, object, county string, changes []domain.FieldChange) error {
		if rec == nil {
			return nil
		}
		return rec.AddAudit(ctx, domain.AuditEntry{At: now(), User: cfg.actor, Action: act, Object: object,
			County: county, Changes: changes})
	}
	// Ticket settings for online payment need the provider's secret in the
	// database already (a pack cannot carry it): checked before any write.
	if err := checkTicketSecrets(ctx, dst, p); err != nil {
		return ImportStats{}, err
	}
	var st ImportStats
	total := len(plan.Items) + len(p.Tickets)
	done := 0
	step := func() {
		done++
		if cfg.progress != nil {
			cfg.progress(done, total)
		}
	}
	if cfg.progress != nil {
		cfg.progress(0, total)
	}
	sink, _ := dst.(MediaSink)
	for _, n := range p.MediaNames() {
		if action["media/"+n] != Create {
			continue
		}
		m, ok := p.Media[n]
		if !ok || sink == nil {
			continue
		}
		if err := sink.SaveMedia(ctx, n, m.Type, m.Data); err != nil {
			return st, fmt.Errorf("content: import media %s: %w", n, err)
		}
		st.Media++
		step()
	}
	if p.Region != nil {
		written, err := importRegion(ctx, dst, p)
		if err != nil {
			return st, err
		}
		if written {
			st.Region = 1
			if err := audit("region_import", p.Region.Code, "", nil); err != nil {
				return st, err
			}
		} else {
			st.Unchanged++
		}
		step()
	}
	for _, c := range p.Counties {
		if action["county/"+c.Code] == Same {
			st.Unchanged++
			step()
			continue
		}
		if err := dst.PutCounty(ctx, c); err != nil {
			return st, fmt.Errorf("content: import county %s: %w", c.Code, err)
		}
		if err := audit("county_import", c.Code, c.Code, nil); err != nil {
			return st, err
		}
		st.Counties++
		step()
	}
	for _, s := range p.Sites {
		if action["site/"+s.Key] == Same {
			st.Unchanged++
			step()
			continue
		}
		// UpdatedAt stays zero: the store stamps the time of the write.
		if err := dst.PutSite(ctx, s); err != nil {
			return st, fmt.Errorf("content: import site %s: %w", s.Key, err)
		}
		if rec != nil {
			if _, err := rec.AddRevision(ctx, s, cfg.actor, now()); err != nil {
				return st, fmt.Errorf("content: import site %s: %w", s.Key, err)
			}
		}
		if err := audit("site_import", s.Key, s.County, SiteChanges(plan.before[s.Key], s)); err != nil {
			return st, err
		}
		st.Sites++
		step()
	}
	for _, g := range p.Signs {
		if action["sign/"+g.Code] == Same {
			st.Unchanged++
			step()
			continue
		}
		// A changed sign is still the same printed code: keep the time it
		// was first created (zero for a new one: the store stamps it).
		g.CreatedAt = plan.signAt[g.Code]
		if err := dst.PutSign(ctx, g); err != nil {
			return st, fmt.Errorf("content: import sign %s: %w", g.Code, err)
		}
		if err := audit("sign_import", g.Code, g.County, nil); err != nil {
			return st, err
		}
		st.Signs++
		step()
	}
	written, unchanged, err := importTickets(ctx, dst, p, step)
	st.Tickets, st.Unchanged = written, st.Unchanged+unchanged
	if err != nil {
		return st, err
	}
	return st, nil
}

// SiteChanges lists the fields that differ between two states of a site,
// with their values, for the audit log and the import preview.
func SiteChanges(before, after domain.Site) []domain.FieldChange {
	return domain.SiteChanges(before, after)
}
