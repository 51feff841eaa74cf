package content

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
)

// Importer receives a pack. store.Store implements it; its Put methods
// create or replace by key.
type Importer interface {
	PutCounty(ctx context.Context, c domain.County) error
	PutSite(ctx context.Context, s domain.Site) error
	PutSign(ctx context.Context, s domain.Sign) error
}

// Current is what Import uses, when the Importer also has it (store.Store
// does), to leave alone what the database already holds: a re-import then
// writes nothing, so sites keep their UpdatedAt, signs their CreatedAt,
// and no node reloads its catalogue for nothing. The lookups return an
// error wrapping domain.ErrNotFound for a missing value.
type Current interface {
	County(ctx context.Context, code string) (domain.County, error)
	Site(ctx context.Context, key string) (domain.Site, error)
	Sign(ctx context.Context, code string) (domain.Sign, error)
}

// ImportStats counts what Import did.
type ImportStats struct {
	Counties, Sites, Signs int // created or replaced
	Tickets                int // sites' ticket settings created or replaced
	Unchanged              int // already in the database as in the pack
}

// ImportOption adjusts Import.
type ImportOption func(*importConfig)

type importConfig struct {
	progress func(done, total int)
}

// WithProgress makes Import call fn before the first write and after each
// value, with total = counties + sites + signs.
func WithProgress(fn func(done, total int)) ImportOption {
	return func(c *importConfig) { c.progress = fn }
}

// Import writes p to dst: counties first, then sites, then signs, as the
// store checks each against the one before. It validates the whole pack
// before writing anything. Import adds and replaces; it never deletes what
// is not in the pack. Importing the same pack twice leaves the same state.
func Import(ctx context.Context, dst Importer, p Pack, opts ...ImportOption) (ImportStats, error) {
	var cfg importConfig
	for _, o := range opts {
		o(&cfg)
	}
	p = p.Normalize()
	if err := p.Validate(); err != nil {
		return ImportStats{}, err
	}
	if err := checkTicketSecrets(ctx, dst, p); err != nil {
		return ImportStats{}, err
	}
	cur, _ := dst.(Current)
	var st ImportStats
	total := len(p.Counties) + len(p.Sites) + len(p.Signs) + len(p.Tickets)
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

	for _, c := range p.Counties {
		have, found, err := lookup(ctx, cur, func(cur Current) (domain.County, error) { return cur.County(ctx, c.Code) })
		switch {
		case err != nil:
			return st, fmt.Errorf("content: import county %s: %w", c.Code, err)
		case found && reflect.DeepEqual(normalizeCounty(have), c):
			st.Unchanged++
		default:
			if err := dst.PutCounty(ctx, c); err != nil {
				return st, fmt.Errorf("content: import county %s: %w", c.Code, err)
			}
			st.Counties++
		}
		step()
	}
	for _, s := range p.Sites {
		have, found, err := lookup(ctx, cur, func(cur Current) (domain.Site, error) { return cur.Site(ctx, s.Key) })
		switch {
		case err != nil:
			return st, fmt.Errorf("content: import site %s: %w", s.Key, err)
		case found && reflect.DeepEqual(normalizeSite(have), s):
			st.Unchanged++
		default:
			// UpdatedAt stays zero: the store stamps the time of the write.
			if err := dst.PutSite(ctx, s); err != nil {
				return st, fmt.Errorf("content: import site %s: %w", s.Key, err)
			}
			st.Sites++
		}
		step()
	}
	for _, g := range p.Signs {
		have, found, err := lookup(ctx, cur, func(cur Current) (domain.Sign, error) { return cur.Sign(ctx, g.Code) })
		switch {
		case err != nil:
			return st, fmt.Errorf("content: import sign %s: %w", g.Code, err)
		case found && reflect.DeepEqual(normalizeSign(have), g):
			st.Unchanged++
		default:
			// A changed sign is still the same printed code: keep the time
			// it was first created (zero for a new one: the store stamps it).
			g.CreatedAt = have.CreatedAt
			if err := dst.PutSign(ctx, g); err != nil {
				return st, fmt.Errorf("content: import sign %s: %w", g.Code, err)
			}
			st.Signs++
		}
		step()
	}
	written, unchanged, err := importTickets(ctx, dst, p, step)
	st.Tickets, st.Unchanged = written, st.Unchanged+unchanged
	if err != nil {
		return st, err
	}
	return st, nil
}

// lookup returns the value the database holds, if dst can tell.
func lookup[T any](ctx context.Context, cur Current, get func(Current) (T, error)) (have T, found bool, err error) {
	if err := ctx.Err(); err != nil {
		return have, false, err
	}
	if cur == nil {
		return have, false, nil
	}
	have, err = get(cur)
	if errors.Is(err, domain.ErrNotFound) {
		return have, false, nil
	}
	return have, err == nil, err
}

// Exporter is the read side of the store that Export needs; store.Store
// implements it.
type Exporter interface {
	Counties(ctx context.Context) ([]domain.County, error)
	Sites(ctx context.Context, county string) ([]domain.Site, error)
	Signs(ctx context.Context, f store.SignFilter) ([]domain.Sign, error)
}

// Export reads every county, site (published or not) and sign from src as
// a normalized pack. It fails if the database holds what a pack cannot
// express, such as a sign whose county differs from its site's, so that
// Write does not fail later or change meaning silently.
func Export(ctx context.Context, src Exporter) (Pack, error) {
	counties, err := src.Counties(ctx)
	if err != nil {
		return Pack{}, fmt.Errorf("content: export: %w", err)
	}
	sites, err := src.Sites(ctx, "")
	if err != nil {
		return Pack{}, fmt.Errorf("content: export: %w", err)
	}
	signs, err := src.Signs(ctx, store.SignFilter{})
	if err != nil {
		return Pack{}, fmt.Errorf("content: export: %w", err)
	}
	ts, err := exportTickets(ctx, src)
	if err != nil {
		return Pack{}, err
	}
	p := Pack{Counties: counties, Sites: sites, Signs: signs, Tickets: ts}.Normalize()
	if err := p.Validate(); err != nil {
		return Pack{}, fmt.Errorf("content: export: the database holds content a pack cannot hold:\n%w", err)
	}
	return p, nil
}
