package content

import (
	"context"
	"io/fs"
	"time"
)

// ImportRequest is one pack import as the CLI asks for it.
type ImportRequest struct {
	FS     fs.FS  // the pack (a directory, an unzipped archive…)
	DryRun bool   // plan only: write nothing
	Actor  string // recorded in revisions and audit entries (CLIActor)
	Now    func() time.Time
	// Progress, if set, is called as values are written.
	Progress func(done, total int)
}

// ImportPack is the CLI's import: load the pack (every file error at
// once), plan it against the database with the console's rules (every
// rule error at once), and unless it is a dry run, apply it, recording
// revisions and audit entries under Actor. The plan is returned so the
// caller can show what was (or would be) created and changed; a non-nil
// error means nothing was written (Messages renders it).
func ImportPack(ctx context.Context, dst Importer, req ImportRequest) (Plan, ImportStats, error) {
	p, err := Load(req.FS)
	if err != nil {
		return Plan{}, ImportStats{}, err
	}
	cur, _ := dst.(Current)
	plan, err := PlanImport(ctx, cur, p, AllCounties)
	if err != nil {
		return plan, ImportStats{}, err
	}
	if len(plan.Errors) > 0 || req.DryRun {
		return plan, ImportStats{}, plan.Err()
	}
	opts := []ImportOption{WithActor(req.Actor, req.Now)}
	if req.Progress != nil {
		opts = append(opts, WithProgress(req.Progress))
	}
	st, err := ApplyPlan(ctx, dst, plan, opts...)
	return plan, st, err
}
