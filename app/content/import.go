package content

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	Media                  int // media files stored
	Tickets                int // sites' ticket settings created or replaced
	Region                 int // 1 when region.yaml was written
	Unchanged              int // already in the database as in the pack
}

// ImportOption adjusts Import.
type ImportOption func(*importConfig)

type importConfig struct {
	progress func(done, total int)
	actor    string
	now      func() time.Time
}

// WithProgress makes Import call fn before the first write and after each
// value, with total = the plan's items.
func WithProgress(fn func(done, total int)) ImportOption {
	return func(c *importConfig) { c.progress = fn }
}

// Import plans and applies p (see PlanImport and ApplyPlan) for a user who
// may change every county: it validates the whole pack, reporting every
// error, before writing anything. Import adds and replaces; it never
// deletes what is not in the pack. Importing the same pack twice leaves
// the same state, and the second time writes nothing, so sites keep their
// UpdatedAt, signs their CreatedAt, and no node reloads its catalogue for
// nothing.
func Import(ctx context.Context, dst Importer, p Pack, opts ...ImportOption) (ImportStats, error) {
	var cur Current
	if c, ok := dst.(Current); ok {
		// Import leaves media as they are: a programmatic import (the demo
		// pack, tests) may point at files served elsewhere. ImportPack and
		// the console require every file.
		cur = currentOnly{c}
	}
	plan, err := PlanImport(ctx, cur, p, AllCounties)
	if err != nil {
		return ImportStats{}, err
	}
	if len(plan.Errors) > 0 {
		return ImportStats{}, plan.Err()
	}
	return ApplyPlan(ctx, dst, plan, opts...)
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
	region, err := exportRegion(ctx, src)
	if err != nil {
		return Pack{}, err
	}
	p := Pack{Counties: counties, Sites: sites, Signs: signs, Tickets: ts, Region: region}.Normalize()
	if err := p.Validate(); err != nil {
		return Pack{}, fmt.Errorf("content: export: the database holds content a pack cannot hold:\n%w", err)
	}
	return p, nil
}

// currentOnly hides every method of a Current but its own, such as
// MediaChecker, and the region lookups planRegion uses.
type currentOnly struct{ Current }

func (c currentOnly) Region(ctx context.Context) (domain.Region, error) {
	if rc, ok := c.Current.(RegionCurrent); ok {
		return rc.Region(ctx)
	}
	return domain.Region{}, domain.ErrNotFound
}

func (c currentOnly) Counties(ctx context.Context) ([]domain.County, error) {
	if cl, ok := c.Current.(countyLister); ok {
		return cl.Counties(ctx)
	}
	return nil, nil
}
