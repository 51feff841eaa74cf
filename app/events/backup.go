package events

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/yimayou/yimayou/app/domain"
	"github.com/yimayou/yimayou/app/store"
)

// SnapshotUnshipped reads, without opening the log, every event of the
// log in dir that the shipped mark has not passed: what a backup must
// carry besides the database. It is safe while a server writes and ships
// the log: a record being written is not complete yet and is left out
// (its checksum fails), and a segment deleted meanwhile was shipped, so
// its events are in the database before the backup reads it. A missing
// dir or node id means there is no log: nil, nil.
func SnapshotUnshipped(dir string) (*store.EventLogSnapshot, error) {
	b, err := os.ReadFile(filepath.Join(dir, nodeFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("events: node id: %w", err)
	}
	node := strings.TrimSpace(string(b))
	if !validNodeID(node) {
		return nil, fmt.Errorf("events: %s holds %q, not a node id", filepath.Join(dir, nodeFile), node)
	}
	mark, err := readMark(dir)
	if err != nil {
		return nil, err
	}
	snap := &store.EventLogSnapshot{Node: node, ShippedMark: mark, LastSeq: mark}
	firsts, err := listSegments(dir)
	if err != nil {
		return nil, fmt.Errorf("events: list segments: %w", err)
	}
	for i, first := range firsts {
		if i+1 < len(firsts) && firsts[i+1] <= mark+1 {
			continue // every record of this segment is at or below the mark
		}
		data, err := os.ReadFile(segmentPath(dir, first))
		if errors.Is(err, os.ErrNotExist) {
			continue // shipped and deleted since the listing
		}
		if err != nil {
			return nil, fmt.Errorf("events: read segment: %w", err)
		}
		var derr error
		_, err = scanFrames(data, first, func(seq uint64, ev []byte) {
			if seq <= mark || derr != nil {
				return
			}
			e, err := decodeEvent(ev)
			if err != nil {
				derr = fmt.Errorf("events: segment %d seq %d: %w", first, seq, err)
				return
			}
			e.Node, e.Seq = node, seq
			snap.Events = append(snap.Events, e)
			snap.LastSeq = max(snap.LastSeq, seq)
		})
		if err != nil {
			return nil, fmt.Errorf("events: segment %d: %w", first, err)
		}
		if derr != nil {
			return nil, derr
		}
	}
	sort.SliceStable(snap.Events, func(i, j int) bool { return snap.Events[i].Seq < snap.Events[j].Seq })
	return snap, nil
}

// Replay stores events of one node that a restore found unshipped (see
// store.RestoreResult.Replay): raw events with duplicates skipped, and the
// node's rollups raised exactly as its shipper would have, so events
// counted in the restored rollups are not counted twice. It returns the
// raw events inserted (the rest were in the database already).
func Replay(ctx context.Context, t Target, node string, evs []domain.Event, progress func(done, total int)) (inserted int, err error) {
	if len(evs) == 0 {
		return 0, nil
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Seq < evs[j].Seq })
	rollups := newRollupApplier(t, node)
	const batch, chunk = 5000, 1000
	for start := 0; start < len(evs); start += batch {
		b := evs[start:min(start+batch, len(evs))]
		for c := 0; c < len(b); c += chunk {
			n, _, err := t.InsertEvents(ctx, b[c:min(c+chunk, len(b))])
			if err != nil {
				return inserted, err
			}
			inserted += n
		}
		if err := rollups.apply(ctx, b); err != nil {
			return inserted, err
		}
		if progress != nil {
			progress(start+len(b), len(evs))
		}
	}
	return inserted, nil
}
