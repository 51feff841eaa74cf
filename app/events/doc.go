// Package events is the event pipeline: handlers hand events to a local,
// append-only log; a shipper sends the log to MongoDB and keeps the rollup
// documents that dashboards read.
//
// # Durability
//
// Record returns once the event is written to the operating system by the
// log's single writer goroutine, which takes every event recorded while
// its previous write ran and writes them with one write(2) (group commit).
// A crash of the process (kill -9, panic, out of memory) therefore loses
// no answered event. A syncer goroutine fsyncs at least every SyncEvery
// (20 ms); in Strict mode Record waits for the fsync, and the writer keeps
// writing the next group while the syncer syncs the previous one, so
// writes and syncs overlap.
//
// # Segments
//
// Records are framed with their length and a CRC-32C over the node's
// sequence number and the encoded event (segment.go). Open cuts a torn
// tail, and rewrites a segment that is damaged inside (keeping what
// checks out and setting the original aside under corrupt/). Segments are
// deleted once the durable shipped mark has passed them. Only fsynced
// records are shipped, so after a power failure no sequence number that
// MongoDB has seen is reused.
//
// # Exactly-once counts
//
// Raw events are inserted with unordered insertMany under app-made ids, so
// a re-send only produces duplicates, counted and skipped. Rollups are one
// document per node, per site (or sign), per month, written only by that
// node's shipper. Every counter in them is the node's cumulative count for
// its bucket, and every update raises counters with $max and a filter on
// _id alone; each document remembers the highest sequence number it has
// applied, and a replay skips events at or below it. Applying a batch
// twice, crashing between documents, or a late retry landing after a newer
// write leaves every count right. We measured the alternative of a
// conditional filter ({_id, seq: {$lt: n}}) on the embedded server: it is
// a full scan, 1.1-1.7 s per update against 8-12 ms by _id alone with
// 1,000-5,000 documents (app/store/rollups_measure_test.go), and on the
// embedded server several connections writing one document lose updates,
// which per-node documents avoid altogether. Readers (app/stats) sum the
// nodes' documents; Rebuild recomputes any range from raw events with the
// same code and yields the same documents.
//
// # Load
//
// The shipper reads large batches, inserts them in chunks of 1,000 and
// writes the batch's rollups in one bulk write. It paces itself to a duty
// cycle of wall time, a small one while the node records more than
// BusyRate events/s, so a burst of scans is answered at full speed while
// the lag grows, and drains afterwards. cmd/yimayou-load measures the cost of
// recording against a bare handler.
package events
